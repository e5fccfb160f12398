// The catalogue: wire names, keys, business validation, and (checked by the typecheck, via @ts-expect-error) that a
// publisher cannot pair a topic with another topic's payload.
import { parseAvroSchema } from './avro/logical-types';
import { type EventContract } from './event-contract';
import { sampleEvents } from './testing';
import { allTopics, catalogue, type EventOf, type Topic, Topics } from './topics';

// What a publisher's signature looks like: the topic decides the payload type.
function publish<T extends Topic>(topic: T, payload: EventOf<T>): string[] {
  const contract: EventContract<T, EventOf<T>> = catalogue[topic];
  return contract.validate(payload);
}

function keyOf<T extends Topic>(topic: T): string {
  return catalogue[topic].keyOf(sampleEvents[topic]);
}

describe('catalogue', () => {
  it('has one entry per topic, named for it, with the TopicNameStrategy subject', () => {
    expect(Object.keys(catalogue).sort()).toEqual([...allTopics].sort());
    for (const topic of allTopics) {
      expect(catalogue[topic].topic).toBe(topic);
      expect(catalogue[topic].subject).toBe(`${topic}-value`);
      expect(topic).toMatch(/^flywheel\.[a-z]+\.[a-z-]+\.v[1-9][0-9]*$/);
    }
  });

  it.each(allTopics)('%s: the sample payload is schema-valid and passes validation', (topic) => {
    const payload = sampleEvents[topic];
    expect(parseAvroSchema(catalogue[topic].schema).isValid(payload)).toBe(true);
    expect(publish(topic, payload)).toEqual([]);
  });

  // The log domain is keyed by workload: records and the counts derived from them are per workload, not per run.
  const workloadScoped: readonly Topic[] = [Topics.llmCallLoggedV1, Topics.logsIngestedV1];

  it('keys run-scoped events by run id and log events by workload id', () => {
    for (const topic of allTopics) {
      const key = keyOf(topic);
      if (topic === Topics.llmCallLoggedV1) expect(key).toBe(sampleEvents[topic].workload_id);
      else if (topic === Topics.logsIngestedV1) expect(key).toBe(sampleEvents[topic].workload_id);
      else expect(key).toBe('run-0001');
    }
  });

  it('gives every run-scoped event an event_id, run_id and occurred_at', () => {
    for (const topic of allTopics.filter((t) => !workloadScoped.includes(t))) {
      const fields = catalogue[topic].schema.fields.map((f) => (f as { name: string }).name);
      expect(fields.slice(0, 3)).toEqual(['event_id', 'run_id', 'occurred_at']);
    }
  });

  it('reports business problems', () => {
    const progress = { ...sampleEvents[Topics.stageProgressV1], run_id: ' ', percent: 101, event_id: 'nope' };
    expect(catalogue[Topics.stageProgressV1].validate(progress)).toEqual([
      'event_id must be a UUID, got "nope"',
      'run_id must not be empty',
      'percent must be within 0..100, got 101',
    ]);
    const completed = sampleEvents[Topics.evaluationCompletedV1];
    expect(
      catalogue[Topics.evaluationCompletedV1].validate({ ...completed, scores: { similarity: Number.NaN } }),
    ).toEqual(['scores.similarity must be a finite number, got NaN']);
    const recommended = sampleEvents[Topics.candidateRecommendedV1];
    expect(
      catalogue[Topics.candidateRecommendedV1].validate({ ...recommended, recommended_model: 'someone/else' }),
    ).toEqual(['recommended_model must be one of the candidates (or its customized model)']);
  });

  it('cannot pair a topic with the wrong payload (compile-time)', () => {
    const requested = sampleEvents[Topics.runRequestedV1];
    const cancelled = sampleEvents[Topics.runCancelledV1];
    // Never called: the typecheck proves these lines do not compile.
    const wrongPairs = (): void => {
      // @ts-expect-error a run-requested payload is not a run-started event
      publish(Topics.runStartedV1, requested);
      // @ts-expect-error run-cancelled has every field of cancel-requested; the compile-time tag tells them apart
      publish(Topics.runCancelRequestedV1, cancelled);
      // @ts-expect-error not a topic of the catalogue
      publish('flywheel.run.requested.v9', requested);
    };
    expect(wrongPairs).toBeInstanceOf(Function);
    expect(publish(Topics.runRequestedV1, requested)).toEqual([]);
  });
});
