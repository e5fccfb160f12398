import { randomUUID } from 'node:crypto';
import { type EventPublisher } from '@flywheel/bus';
import { Topics } from '@flywheel/contracts';
import { ev, CANDIDATES, DECISION, newBus, openStores, WORKLOAD, type Bus, type Stores } from '../../test/fixtures';
import { candidateIdOf, evaluationIdOf } from '../ids';
import { type FlywheelCatalogue, RunProjection } from './run-projection';
import { writeRunPlan } from './run-plan';

const BIG = CANDIDATES[0]?.model_name ?? '';
const SMALL = CANDIDATES[1]?.model_name ?? '';

describe('RunProjection', () => {
  let stores: Stores;
  let bus: Bus;
  let p: RunProjection;
  let runId: string;
  /** Final statuses reported to the metrics observer. */
  let finished: string[];

  beforeEach(async () => {
    stores = await openStores();
    bus = newBus();
    finished = [];
    p = new RunProjection({
      store: stores.runs,
      publisher: bus,
      decision: DECISION,
      observer: { runFinished: (status) => finished.push(status) },
    });
    runId = randomUUID();
    // What the jobs API does before it publishes run.requested.
    await writeRunPlan(stores.runs, ev.runRequested(runId));
  });
  afterEach(() => stores.close());

  /** Every evaluation and customization of both candidates, finished with these primary scores. */
  async function finishAll(scores: Record<string, Record<'base' | 'icl' | 'customized', number>>): Promise<void> {
    for (const [model, s] of Object.entries(scores)) {
      await p.deployed(ev.deployed(runId, model));
      await p.customizationCompleted(ev.customizationCompleted(runId, model));
      await p.evaluationCompleted(ev.evalCompleted(runId, model, 'base', s.base));
      await p.evaluationCompleted(ev.evalCompleted(runId, model, 'icl', s.icl));
      await p.evaluationCompleted(ev.evalCompleted(runId, model, 'customized', s.customized));
    }
  }

  it('plans every candidate and its expected evaluations as pending when the run is requested', async () => {
    const candidates = (await stores.runs.listCandidates(runId)).items;
    expect(candidates.map((c) => [c.model_name, c.status])).toEqual([
      [BIG, 'pending'],
      [SMALL, 'pending'],
    ]);
    const evals = (await stores.runs.listEvaluations({ run_id: runId })).items;
    expect(evals.map((e) => e.eval_type).sort()).toEqual(['base', 'base', 'customized', 'customized', 'icl', 'icl']);
    expect(evals.every((e) => e.status === 'pending')).toBe(true);
    expect((await stores.runs.getRun(runId)).status).toBe('pending');
  });

  it('plans no icl/customized evaluation for a candidate that disabled them', async () => {
    const other = randomUUID();
    await writeRunPlan(
      stores.runs,
      ev.runRequested(other, [
        { model_name: 'm-3b', context_length: null, icl_enabled: false, customization_enabled: false },
      ]),
    );
    const evals = (await stores.runs.listEvaluations({ run_id: other })).items;
    expect(evals.map((e) => e.eval_type)).toEqual(['base']);
    expect((await stores.runs.listCustomizations({ run_id: other })).items).toEqual([]);
  });

  it('repairs a partial plan on run.requested but never recreates a run that is not stored', async () => {
    const partial = randomUUID();
    await stores.runs.createRun({ id: partial, workload_id: 'w', client_id: 'c' });
    expect(await p.runRequested(ev.runRequested(partial))).toEqual({ kind: 'applied' });
    expect((await stores.runs.listCandidates(partial)).items).toHaveLength(2);

    const deleted = randomUUID();
    expect((await p.runRequested(ev.runRequested(deleted))).kind).toBe('ignored');
    await expect(stores.runs.getRun(deleted)).rejects.toThrow(/does not exist/);
  });

  it('completes the run once every candidate finished and recommends the cheapest candidate near the teacher', async () => {
    await p.runStarted(ev.runStarted(runId));
    await p.datasetsBuilt(ev.datasetsBuilt(runId));
    await finishAll({
      [BIG]: { base: 0.8, icl: 0.85, customized: 0.95 },
      [SMALL]: { base: 0.4, icl: 0.5, customized: 0.92 },
    });

    const run = await stores.runs.getRun(runId);
    expect(run.status).toBe('completed');
    expect(run.num_records).toBe(100);
    const [completed] = bus.publishedTo(Topics.runCompletedV1);
    expect(completed?.summary.candidates.map((c) => [c.model_name, c.status, c.evaluations_completed])).toEqual([
      [BIG, 'completed', 3],
      [SMALL, 'completed', 3],
    ]);
    const [rec] = bus.publishedTo(Topics.candidateRecommendedV1);
    expect(rec?.primary_metric).toBe('function_name_and_args_accuracy');
    expect(rec?.recommended_eval_type).toBe('customized');
    expect(rec?.recommended_model).toBe(`${SMALL}@lora-${runId.slice(0, 8)}`);
    expect(rec?.candidates.find((c) => c.model_name === SMALL)?.evaluations[0]?.sample_count).toBe(20);
    expect(completed?.summary.recommended_model).toBe(rec?.recommended_model);
  });

  it('does not complete the run while one planned evaluation is still open', async () => {
    await finishAll({ [BIG]: { base: 0.8, icl: 0.85, customized: 0.95 } });
    await p.deployed(ev.deployed(runId, SMALL));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'base', 0.4));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'icl', 0.5));
    expect((await stores.runs.getCandidate(candidateIdOf(runId, BIG))).status).toBe('completed');
    expect((await stores.runs.getCandidate(candidateIdOf(runId, SMALL))).status).toBe('running_evals');
    expect((await stores.runs.getRun(runId)).status).toBe('pending');
    expect(bus.publishedTo(Topics.runCompletedV1)).toEqual([]);
  });

  it('applies a redelivered event once: same state, the outcome published once', async () => {
    await p.runStarted(ev.runStarted(runId));
    await finishAll({ [BIG]: { base: 0.8, icl: 0.85, customized: 0.95 } });
    await p.deployed(ev.deployed(runId, SMALL));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'base', 0.4));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'icl', 0.5));
    const last = ev.evalCompleted(runId, SMALL, 'customized', 0.92);
    expect(await p.evaluationCompleted(last)).toEqual({ kind: 'applied' });
    const before = await stores.runs.getEvaluation(evaluationIdOf(runId, SMALL, 'customized'));

    const again = await p.evaluationCompleted(last);
    expect(again.kind).toBe('ignored');
    expect(await stores.runs.getEvaluation(evaluationIdOf(runId, SMALL, 'customized'))).toEqual(before);
    expect(bus.publishedTo(Topics.runCompletedV1)).toHaveLength(1);
    expect(bus.publishedTo(Topics.candidateRecommendedV1)).toHaveLength(1);
    // flywheel_runs_total counts the run once, not once per delivery.
    expect(finished).toEqual(['completed']);
    // Redelivered run.requested does not duplicate the plan.
    await p.runRequested(ev.runRequested(runId));
    expect((await stores.runs.listCandidates(runId)).items).toHaveLength(2);
  });

  it('reaches the same state when events of a run arrive out of order', async () => {
    // Completed before started, deployed after the evaluations, progress after the end.
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8, 6));
    await p.evaluationStarted(ev.evalStarted(runId, BIG, 'base', 4));
    await p.evaluationProgress(ev.evalProgress(runId, BIG, 'base', 50, 5));
    await p.deployed(ev.deployed(runId, BIG, 3));
    const evaluation = await stores.runs.getEvaluation(evaluationIdOf(runId, BIG, 'base'));
    expect(evaluation.status).toBe('completed');
    expect(evaluation.progress).toBe(100);
    expect(evaluation.scores.function_name_and_args_accuracy).toBe(0.8);
    expect((await stores.runs.getCandidate(candidateIdOf(runId, BIG))).status).toBe('running_evals');

    // A late deploy-requested does not move the candidate back to deploying.
    await p.deployRequested({
      event_id: randomUUID(),
      run_id: runId,
      occurred_at: 1,
      model_name: BIG,
      role: 'candidate',
      context_length: null,
      gpus: 1,
      image_tag: null,
    });
    expect((await stores.runs.getCandidate(candidateIdOf(runId, BIG))).status).toBe('running_evals');

    // run.started arriving after the run completed leaves it completed.
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'icl', 0.85));
    await p.customizationCompleted(ev.customizationCompleted(runId, BIG));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'customized', 0.95));
    await finishAll({ [SMALL]: { base: 0.4, icl: 0.5, customized: 0.6 } });
    expect((await stores.runs.getRun(runId)).status).toBe('completed');
    expect((await p.runStarted(ev.runStarted(runId))).kind).toBe('ignored');
    expect((await stores.runs.getRun(runId)).status).toBe('completed');
  });

  it('marks a candidate failed (not completed) when one of its evaluations failed, naming it', async () => {
    await finishAll({ [SMALL]: { base: 0.4, icl: 0.5, customized: 0.6 } });
    await p.deployed(ev.deployed(runId, BIG));
    await p.customizationCompleted(ev.customizationCompleted(runId, BIG));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8));
    await p.evaluationFailed(ev.evalFailed(runId, BIG, 'icl'));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'customized', 0.95));

    const big = await stores.runs.getCandidate(candidateIdOf(runId, BIG));
    expect(big.status).toBe('failed');
    expect(big.error?.message).toMatch(/icl evaluation failed: evaluator answered 503/);
    expect((await stores.runs.getEvaluation(evaluationIdOf(runId, BIG, 'icl'))).status).toBe('failed');
    // The run still has evidence: it completes, and the failed candidate's scores still count.
    expect((await stores.runs.getRun(runId)).status).toBe('completed');
    const [completed] = bus.publishedTo(Topics.runCompletedV1);
    expect(completed?.summary.candidates.find((c) => c.model_name === BIG)).toMatchObject({
      status: 'failed',
      evaluations_completed: 2,
    });
    expect(bus.publishedTo(Topics.candidateRecommendedV1)[0]?.recommended_model).toBe(
      `${BIG}@lora-${runId.slice(0, 8)}`,
    );
  });

  it('tells the deployer each candidate finished, with why a failed one failed', async () => {
    await finishAll({ [SMALL]: { base: 0.4, icl: 0.5, customized: 0.6 } });
    expect(bus.publishedTo(Topics.candidateFinishedV1)).toEqual([
      expect.objectContaining({ model_name: SMALL, status: 'completed', error: null }),
    ]);
    // The deployer releases the deployment after the verdict; the read model shows it.
    await p.released(ev.released(runId, SMALL));
    expect((await stores.runs.getCandidate(candidateIdOf(runId, SMALL))).deployment_status).toBe('completed');
    await p.deployed(ev.deployed(runId, BIG));
    await p.customizationCompleted(ev.customizationCompleted(runId, BIG));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8));
    await p.evaluationFailed(ev.evalFailed(runId, BIG, 'icl'));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'customized', 0.95));
    // A redelivered last event settles nothing new.
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'customized', 0.95));
    const finished = bus.publishedTo(Topics.candidateFinishedV1);
    expect(finished).toHaveLength(2);
    expect(finished[1]).toMatchObject({ model_name: BIG, status: 'failed', error: { code: 'EVALUATION_FAILED' } });
  });

  it('fails the customized evaluation when the customization fails', async () => {
    await p.deployed(ev.deployed(runId, SMALL));
    await p.customizationFailed(ev.customizationFailed(runId, SMALL));
    const customized = await stores.runs.getEvaluation(evaluationIdOf(runId, SMALL, 'customized'));
    expect(customized.status).toBe('failed');
    expect(customized.error?.message).toMatch(/not run: customization failed: loss became NaN/);
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'base', 0.4));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'icl', 0.5));
    expect((await stores.runs.getCandidate(candidateIdOf(runId, SMALL))).status).toBe('failed');
  });

  it('fails the run with a reason when no candidate produced a score', async () => {
    await p.deployFailed(ev.deployFailed(runId, BIG));
    expect((await stores.runs.getRun(runId)).status).toBe('pending');
    await p.deployFailed(ev.deployFailed(runId, SMALL));
    const run = await stores.runs.getRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/no candidate produced a score: .*8b.*deployment failed: no GPU free/);
    const [failed] = bus.publishedTo(Topics.runFailedV1);
    expect(failed).toMatchObject({ stage: 'aggregation', error: { code: 'NO_CANDIDATE_SCORED' } });
    expect(bus.publishedTo(Topics.runCompletedV1)).toEqual([]);
    const evals = (await stores.runs.listEvaluations({ run_id: runId })).items;
    expect(evals.every((e) => e.status === 'failed' && /not run: deployment failed/.test(e.error?.message ?? ''))).toBe(
      true,
    );
  });

  it('fails the run and everything open in it when the datasets fail; it publishes no outcome of its own', async () => {
    await p.runStarted(ev.runStarted(runId));
    await p.datasetsFailed(ev.datasetsFailed(runId));
    const run = await stores.runs.getRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INSUFFICIENT_RECORDS');
    const candidates = (await stores.runs.listCandidates(runId)).items;
    expect(candidates.map((c) => c.status)).toEqual(['failed', 'failed']);
    expect(candidates[0]?.error?.message).toMatch(/not run: dataset build failed/);
    expect(bus.publishedTo(Topics.runFailedV1)).toEqual([]);
    // The dataset-builder's own run.failed, redelivered, changes nothing.
    expect(
      (
        await p.runFailed({
          event_id: randomUUID(),
          run_id: runId,
          occurred_at: 9,
          stage: 'dataset_build',
          error: { code: 'OTHER', message: 'x', retryable: false },
        })
      ).kind,
    ).toBe('ignored');
    expect((await stores.runs.getRun(runId)).error?.code).toBe('INSUFFICIENT_RECORDS');
  });

  it('cancels the run and its open work on a cancel request and publishes run.cancelled (same id on redelivery)', async () => {
    await p.runStarted(ev.runStarted(runId));
    await p.deployed(ev.deployed(runId, BIG));
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8));
    const cancel = ev.cancelRequested(runId);
    expect(await p.cancelRequested(cancel)).toEqual({ kind: 'applied' });
    expect(await p.cancelRequested(cancel)).toEqual({ kind: 'applied' });

    expect((await stores.runs.getRun(runId)).status).toBe('cancelled');
    expect((await stores.runs.getEvaluation(evaluationIdOf(runId, BIG, 'base'))).status).toBe('completed');
    expect((await stores.runs.getEvaluation(evaluationIdOf(runId, BIG, 'icl'))).status).toBe('cancelled');
    expect((await stores.runs.listCandidates(runId)).items.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    const cancelled = bus.publishedTo(Topics.runCancelledV1);
    expect(cancelled).toHaveLength(2);
    expect(cancelled[0]?.event_id).toBe(cancelled[1]?.event_id);
    // A late result changes nothing: first terminal state wins.
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'icl', 0.9));
    expect((await stores.runs.getEvaluation(evaluationIdOf(runId, BIG, 'icl'))).status).toBe('cancelled');
    expect(bus.publishedTo(Topics.runCompletedV1)).toEqual([]);
    expect(finished).toEqual(['cancelled']);
  });

  it('ignores a cancel request for a run that already finished', async () => {
    await p.datasetsFailed(ev.datasetsFailed(runId));
    expect((await p.cancelRequested(ev.cancelRequested(runId))).kind).toBe('ignored');
    expect(finished).toEqual(['failed']);
    expect((await stores.runs.getRun(runId)).status).toBe('failed');
    expect(bus.publishedTo(Topics.runCancelledV1)).toEqual([]);
  });

  it('records progress on a planned evaluation and drops progress that arrives after it finished', async () => {
    expect(await p.evaluationProgress(ev.evalProgress(runId, BIG, 'base', 40))).toEqual({ kind: 'applied' });
    const id = evaluationIdOf(runId, BIG, 'base');
    expect(await stores.runs.getEvaluation(id)).toMatchObject({
      status: 'running',
      progress: 40,
      job_id: `job-${BIG}-base`,
    });
    await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8));
    const late = await p.evaluationProgress(ev.evalProgress(runId, BIG, 'base', 60));
    expect(late).toEqual({ kind: 'ignored', reason: 'evaluation already finished' });
    expect(await stores.runs.getEvaluation(id)).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('records an evaluation or customization the plan did not expect, but nothing for a model that is no candidate', async () => {
    const other = randomUUID();
    const model = 'm-3b';
    await writeRunPlan(
      stores.runs,
      ev.runRequested(other, [
        { model_name: model, context_length: null, icl_enabled: false, customization_enabled: false },
      ]),
    );
    expect((await p.evaluationProgress(ev.evalProgress(other, model, 'icl', 30))).kind).toBe('applied');
    expect(await stores.runs.getEvaluation(evaluationIdOf(other, model, 'icl'))).toMatchObject({
      candidate_id: candidateIdOf(other, model),
      status: 'running',
      progress: 30,
    });
    const customization = {
      event_id: randomUUID(),
      run_id: other,
      occurred_at: Date.UTC(2026, 0, 1, 12, 0, 5),
      model_name: model,
      job_id: 'cust-1',
      percent: 50,
      epoch: 1,
      step: 5,
      train_loss: 0.4,
      val_loss: null,
    };
    expect((await p.customizationProgress(customization)).kind).toBe('applied');
    expect((await stores.runs.listCustomizations({ run_id: other })).items).toEqual([
      expect.objectContaining({ workload_id: WORKLOAD, status: 'running', progress: 50, steps_completed: 5 }),
    ]);
    expect((await stores.runs.getCandidate(candidateIdOf(other, model))).status).toBe('running_evals');

    const stranger = await p.evaluationProgress(ev.evalProgress(other, 'not-a-candidate', 'base', 10));
    expect(stranger).toEqual({ kind: 'ignored', reason: 'model not-a-candidate is not a candidate of this run' });
    expect((await stores.runs.listEvaluations({ run_id: other })).items).toHaveLength(2);
  });

  it('skips events of an unknown or deleted run', async () => {
    expect((await p.runStarted(ev.runStarted(randomUUID()))).kind).toBe('ignored');
    await p.datasetsFailed(ev.datasetsFailed(runId));
    await p.runDeleted({ event_id: randomUUID(), run_id: runId, occurred_at: 1, deleted_by: 'alice' });
    await expect(stores.runs.getRun(runId)).rejects.toThrow(/does not exist/);
    expect((await stores.runs.listEvaluations({ run_id: runId })).items).toEqual([]);
    expect((await p.evaluationCompleted(ev.evalCompleted(runId, BIG, 'base', 0.8))).kind).toBe('ignored');
  });

  it('republishes the outcome after a failed publish instead of losing it (publish before the run is marked)', async () => {
    let failNext = false;
    const flaky = {
      publish: bus.publish.bind(bus),
      publishMany: async (events: Parameters<Bus['publishMany']>[0]) => {
        if (failNext) {
          failNext = false;
          throw new Error('broker unavailable');
        }
        return bus.publishMany(events);
      },
    } as unknown as EventPublisher<FlywheelCatalogue>;
    p = new RunProjection({ store: stores.runs, publisher: flaky, decision: DECISION });
    await finishAll({ [BIG]: { base: 0.8, icl: 0.85, customized: 0.95 } });
    await p.deployed(ev.deployed(runId, SMALL));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'base', 0.4));
    await p.evaluationCompleted(ev.evalCompleted(runId, SMALL, 'icl', 0.5));
    const last = ev.evalCompleted(runId, SMALL, 'customized', 0.6);
    failNext = true;
    await expect(p.evaluationCompleted(last)).rejects.toThrow(/broker unavailable/);
    expect((await stores.runs.getRun(runId)).status).toBe('pending');
    // The bus delivers the event again.
    await p.evaluationCompleted(last);
    expect((await stores.runs.getRun(runId)).status).toBe('completed');
    expect(bus.publishedTo(Topics.runCompletedV1)).toHaveLength(1);
  });
});
