import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type EventContract } from '@flywheel/contracts';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { Outcome } from '../outcome';
import { activeRunId, startBatchSpan, withRunTrace, withoutTrace } from './bus-spans';
import { activeTraceparent } from './traceparent';
import { flywheelAttributesOf } from './span-attributes';

// Run-scoped test events shaped like the real catalogue's (run_id, model_name, workload_id at the top level).
interface StepV1 {
  event_id: string;
  run_id: string;
  workload_id: string;
  model_name: string | null;
  prompt: string;
}
const Topics = { requested: 'test.step-requested.v1', done: 'test.step-done.v1' } as const;
const contract = <T extends string>(topic: T, name: string): EventContract<T, StepV1> => ({
  topic,
  subject: `${topic}-value`,
  schema: {
    type: 'record',
    name,
    namespace: 'flywheel.test.v1',
    fields: [
      { name: 'event_id', type: 'string' },
      { name: 'run_id', type: 'string' },
      { name: 'workload_id', type: 'string' },
      { name: 'model_name', type: ['null', 'string'], default: null },
      { name: 'prompt', type: 'string' },
    ],
  },
  keyOf: (e) => e.run_id,
  validate: () => [],
});
const catalogue = {
  [Topics.requested]: contract(Topics.requested, 'StepRequested'),
  [Topics.done]: contract(Topics.done, 'StepDone'),
} as const;

let n = 0;
const step = (runId: string, model: string | null = 'meta/llama-3.2-1b-instruct'): StepV1 => ({
  event_id: `e-${++n}`,
  run_id: runId,
  workload_id: 'agent.tool_router',
  model_name: model,
  prompt: 'what is the weather in Paris? (never on a span)',
});

describe('bus spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const named = (name: string): ReadableSpan[] => spans().filter((s) => s.name === name);
  const only = (name: string): ReadableSpan => {
    const found = named(name);
    expect(found).toHaveLength(1);
    return found[0] as ReadableSpan;
  };
  /** A platform call's span, ended at once, as the exporter records it. */
  const startPoll = (): ReadableSpan => {
    const span = trace.getTracer('test').startSpan('evaluator.getJob', { kind: SpanKind.CLIENT });
    span.end();
    return span as unknown as ReadableSpan;
  };

  function newBus(groupId = 'stage'): MemoryEventBus<typeof catalogue> {
    return new MemoryEventBus(catalogue, {
      groupId,
      retry: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 2 },
      handlerTimeoutMs: 500,
    });
  }

  it('should make the consumer span a child of the producer span, and the handler publishes its children', async () => {
    const bus = newBus();
    bus.subscribe(Topics.requested, async (p) => {
      await bus.publish(Topics.done, { ...step(p.run_id), event_id: `${p.event_id}-done` });
      return Outcome.processed();
    });
    bus.subscribe(Topics.done, () => Outcome.processed());
    await bus.start();
    await bus.publish(Topics.requested, step('run-1'));
    await bus.drain();

    const send = only(`send ${Topics.requested}`);
    const process = only(`process ${Topics.requested}`);
    const sendDone = only(`send ${Topics.done}`);
    const processDone = only(`process ${Topics.done}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    const traceId = send.spanContext().traceId;
    expect([process, sendDone, processDone].map((s) => s.spanContext().traceId)).toEqual([traceId, traceId, traceId]);
    expect(process.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(sendDone.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(processDone.parentSpanContext?.spanId).toBe(sendDone.spanContext().spanId);
  });

  it('should follow the messaging conventions and carry flywheel ids but never a body field', async () => {
    const bus = newBus('builder');
    bus.subscribe(Topics.requested, () => Outcome.skipped('duplicate'));
    await bus.start();
    const event = step('run-2');
    await bus.publish(Topics.requested, event);
    await bus.drain();

    expect(only(`send ${Topics.requested}`).attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': Topics.requested,
      'messaging.message.id': event.event_id,
      'flywheel.run_id': 'run-2',
      'flywheel.workload_id': 'agent.tool_router',
      'flywheel.candidate': 'meta/llama-3.2-1b-instruct',
    });
    expect(only(`process ${Topics.requested}`).attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': Topics.requested,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': 'builder',
      'messaging.kafka.message.key': 'run-2',
      'messaging.kafka.offset': 0,
      'flywheel.run_id': 'run-2',
      'flywheel.candidate': 'meta/llama-3.2-1b-instruct',
      'flywheel.outcome': 'skipped',
      'flywheel.attempts': 1,
    });
    const everything = JSON.stringify(spans().map((s) => [s.attributes, s.events]));
    expect(everything).not.toContain('weather');
  });

  it('should mark a dead-lettered delivery as an error, with its retries as events', async () => {
    const bus = newBus();
    bus.subscribe(Topics.requested, () => Outcome.retryLater('platform busy'));
    await bus.start();
    await bus.publish(Topics.requested, step('run-3'));
    await bus.drain();

    const process = only(`process ${Topics.requested}`);
    expect(process.status.code).toBe(SpanStatusCode.ERROR);
    expect(process.status.message).toContain('retries-exhausted');
    expect(process.attributes).toMatchObject({ 'flywheel.outcome': 'dead-letter', 'flywheel.attempts': 2 });
    expect(process.events.map((e) => e.name)).toEqual(['retry']);
  });

  it('should end a publish that fails validation as an error span', async () => {
    const bus = new MemoryEventBus(
      { [Topics.requested]: { ...catalogue[Topics.requested], validate: () => ['bad run'] } },
      { groupId: 'stage' },
    );
    await expect(bus.publish(Topics.requested, step('run-4'))).rejects.toThrow('bad run');
    expect(only(`send ${Topics.requested}`).status.code).toBe(SpanStatusCode.ERROR);
  });

  it('should keep a publish from outside any span of the run (a worker timer) in the run’s trace', async () => {
    const bus = newBus();
    bus.subscribe(Topics.requested, () => Outcome.processed());
    bus.subscribe(Topics.done, () => Outcome.processed());
    await bus.start();
    await bus.publish(Topics.requested, step('run-5'));
    await bus.drain();
    const processed = only(`process ${Topics.requested}`);

    // Later, from a timer of another trace altogether (say another run's handler woke the worker).
    const other = trace.getTracer('test').startSpan('another run');
    await context.with(trace.setSpan(context.active(), other), () => bus.publish(Topics.done, step('run-5')));
    other.end();
    await bus.drain();

    const late = only(`send ${Topics.done}`);
    expect(late.spanContext().traceId).toBe(processed.spanContext().traceId);
    expect(late.parentSpanContext?.spanId).toBe(processed.spanContext().spanId);
    expect(late.links.map((l) => l.context.spanId)).toEqual([other.spanContext().spanId]);
  });

  it('should put a worker’s own calls for a run in the run’s trace with withRunTrace', async () => {
    const bus = newBus();
    const inHandler: (string | undefined)[] = [];
    bus.subscribe(Topics.requested, () => {
      inHandler.push(activeRunId());
      return Outcome.processed();
    });
    await bus.start();
    await bus.publish(Topics.requested, step('run-7'));
    await bus.drain();
    const processed = only(`process ${Topics.requested}`);
    expect(inHandler).toEqual(['run-7']);

    const seen = withRunTrace('run-7', () => {
      const poll = trace.getTracer('test').startSpan('GET /v1/jobs/1');
      poll.end();
      return { poll, runId: activeRunId() };
    });
    expect(seen.runId).toBe('run-7');
    expect(seen.poll.spanContext().traceId).toBe(processed.spanContext().traceId);
    expect(only('GET /v1/jobs/1').parentSpanContext?.spanId).toBe(processed.spanContext().spanId);
    expect(withRunTrace('never-seen', () => trace.getSpanContext(context.active()))).toBeUndefined();
  });

  it('should parent a worker’s calls under the stored traceparent of the event that started the job', async () => {
    const bus = newBus();
    const stored: (string | undefined)[] = [];
    bus.subscribe(Topics.requested, () => {
      stored.push(activeTraceparent());
      return Outcome.processed();
    });
    await bus.start();
    await bus.publish(Topics.requested, step('run-8'));
    await bus.publish(Topics.done, step('run-8'));
    await bus.drain();
    const started = only(`process ${Topics.requested}`);
    const [traceparent] = stored;
    expect(traceparent).toBe(`00-${started.spanContext().traceId}-${started.spanContext().spanId}-01`);

    // The stored context wins over the span this process saw last for the run (the later send)…
    const poll = withRunTrace('run-8', () => startPoll(), traceparent);
    // …and is all a restarted process has: a run it never saw, resumed from its state file.
    const resumed = withRunTrace('run-8-after-restart', () => startPoll(), traceparent);
    for (const s of [poll, resumed]) {
      expect(s.spanContext().traceId).toBe(started.spanContext().traceId);
      expect(s.parentSpanContext?.spanId).toBe(started.spanContext().spanId);
    }
    // A publish inside joins the same parent, not the run's last send.
    await withRunTrace('run-8', () => bus.publish(Topics.done, step('run-8')), traceparent);
    await bus.drain();
    const sends = named(`send ${Topics.done}`);
    expect(sends.at(-1)?.parentSpanContext?.spanId).toBe(started.spanContext().spanId);
  });

  it('should fall back to the remembered span on a malformed traceparent, and to no trace for an unknown run', async () => {
    const bus = newBus();
    bus.subscribe(Topics.requested, () => Outcome.processed());
    await bus.start();
    await bus.publish(Topics.requested, step('run-9'));
    await bus.drain();
    const processed = only(`process ${Topics.requested}`);

    expect(withRunTrace('run-9', () => startPoll(), 'not-a-traceparent').parentSpanContext?.spanId).toBe(
      processed.spanContext().spanId,
    );
    // Another run's handler woke the worker: its span is active, but must not adopt this run's calls.
    const other = trace.getTracer('test').startSpan('another run’s handler');
    const orphan = context.with(trace.setSpan(context.active(), other), () =>
      withRunTrace('unknown-run', () => ({ span: startPoll(), runId: activeRunId() }), null),
    );
    other.end();
    expect(orphan.span.parentSpanContext).toBeUndefined();
    expect(orphan.span.spanContext().traceId).not.toBe(other.spanContext().traceId);
    expect(orphan.runId).toBe('unknown-run');
    // withoutTrace clears both the span and the run.
    const detached = context.with(trace.setSpan(context.active(), other), () =>
      withRunTrace('run-9', () =>
        withoutTrace(() => ({ sc: trace.getSpanContext(context.active()), run: activeRunId() })),
      ),
    );
    expect(detached).toEqual({ sc: undefined, run: undefined });
  });

  it('should make one root span per batch, whatever trace is active, with the batch size', () => {
    const outer = trace.getTracer('test').startSpan('http request');
    const batch = context.with(trace.setSpan(context.active(), outer), () =>
      startBatchSpan({ topic: 'logs', partition: 2, groupId: 'ingester', count: 500, firstOffset: '1000' }),
    );
    const inside = context.with(batch.context, () => trace.getSpanContext(context.active()));
    batch.retrying(1, 'store busy');
    batch.end('processed', 2);
    outer.end();

    const span = only('process logs');
    expect(span.parentSpanContext).toBeUndefined();
    expect(inside?.spanId).toBe(span.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      'messaging.batch.message_count': 500,
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'ingester',
      'messaging.kafka.offset': 1000,
      'flywheel.outcome': 'processed',
      'flywheel.attempts': 2,
    });
    expect(span.events.map((e) => e.name)).toEqual(['retry']);
  });

  it('should start a new trace for a run it has never seen', async () => {
    const bus = newBus();
    await bus.publish(Topics.requested, step('run-6'));
    const send = only(`send ${Topics.requested}`);
    expect(send.parentSpanContext).toBeUndefined();
  });
});

describe('flywheelAttributesOf', () => {
  it('should read only the top-level ids, and skip absent or empty ones', () => {
    expect(flywheelAttributesOf({ run_id: 'r', workload_id: '', model_name: null, records: ['x'] })).toEqual({
      'flywheel.run_id': 'r',
    });
    expect(flywheelAttributesOf('not an event')).toEqual({});
  });
});
