import { randomUUID } from 'node:crypto';
import { type EventPublisher } from '@flywheel/bus';
import { Topics } from '@flywheel/contracts';
import {
  CLIENT,
  DECISION,
  ev,
  JOBS_CONFIG,
  newBus,
  openStores,
  seedLogs,
  WORKLOAD,
  type Bus,
  type Stores,
} from '../../test/fixtures';
import { type FlywheelCatalogue, RunProjection } from '../projection/run-projection';
import { ApiError } from './api-error';
import { Jobs } from './jobs';

const body = { workload_id: WORKLOAD, client_id: CLIENT };

async function apiError(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('Jobs (use cases)', () => {
  let stores: Stores;
  let bus: Bus;
  let jobs: Jobs;

  beforeEach(async () => {
    stores = await openStores();
    await seedLogs(stores.logs, 60);
    bus = newBus();
    jobs = new Jobs({ runs: stores.runs, logs: stores.logs, publisher: bus, config: JOBS_CONFIG, decision: DECISION });
  });
  afterEach(() => stores.close());

  describe('create', () => {
    it('stores the run as pending, returns that status, and publishes run.requested', async () => {
      const res = await jobs.create({ ...body, data_split_config: { eval_size: 10 } });
      expect(res).toEqual({ id: res.id, status: 'pending', message: 'NIM workflow started' });
      expect(res.id).toMatch(/^[0-9a-f-]{36}$/);
      const [requested] = bus.publishedTo(Topics.runRequestedV1);
      expect(requested).toMatchObject({ run_id: res.id, workload_id: WORKLOAD, client_id: CLIENT });
      expect(requested?.data_split?.eval_size).toBe(10);
      expect(requested?.candidates.map((c) => c.model_name)).toEqual(
        JOBS_CONFIG.defaultCandidates.map((c) => c.model_name),
      );
      const detail = await jobs.get(res.id);
      expect(detail.nims.map((n) => n.status)).toEqual(['pending', 'pending']);
    });

    it('refuses an unknown workload, naming it and the workloads the client has', async () => {
      const err = await apiError(jobs.create({ ...body, workload_id: 'agent.nope' }));
      expect(err.status).toBe(422);
      expect(err.message).toMatch(/no records are logged for workload_id 'agent.nope' and client_id 'aiva-demo'/);
      expect(err.message).toMatch(/this client has: agent\.tool_router/);
      expect(err.fields.map((f) => f.field)).toEqual(['workload_id']);
      expect(bus.publishedTo(Topics.runRequestedV1)).toEqual([]);
      expect((await stores.runs.listRuns()).items).toEqual([]);
    });

    it('refuses a workload of another client as unknown', async () => {
      const err = await apiError(jobs.create({ ...body, client_id: 'someone-else' }));
      expect(err.status).toBe(422);
      expect(err.message).toMatch(/this client has no logged records/);
    });

    it('refuses a workload with too few records, with the numbers', async () => {
      const err = await apiError(jobs.create({ ...body, data_split_config: { min_total_records: 100 } }));
      expect(err.status).toBe(422);
      expect(err.message).toMatch(
        /has 60 logged records; a run needs at least 100 \(data_split_config.min_total_records\)/,
      );
    });

    it.each([
      [{ data_split_config: { eval_size: -5 } }, 'data_split_config.eval_size'],
      [{ data_split_config: { val_ratio: 1 } }, 'data_split_config.val_ratio'],
      [{ data_split_config: { eval_size: 2 }, icl_config: { max_examples: 3 } }, 'icl_config.max_examples'],
      // Only max_examples given: checked against the service's eval_size (20).
      [{ icl_config: { max_examples: 25 } }, 'icl_config.max_examples'],
      [{ data_split_config: { eval_sise: 5 } }, 'data_split_config'],
      [{ workload_id: '' }, 'workload_id'],
      [{ candidates: [] }, 'candidates'],
    ])('refuses invalid input %j naming %s', async (override, field) => {
      const err = await apiError(jobs.create({ ...body, ...override }));
      expect(err.status).toBe(422);
      expect(err.fields?.map((f) => f.field)).toContain(field);
      expect(err.message).toContain(field);
    });

    it('names a missing field', async () => {
      const err = await apiError(jobs.create({ client_id: CLIENT }));
      expect(err.fields).toEqual([{ field: 'workload_id', message: 'Required' }]);
    });

    it('ends the run visibly when run.requested cannot be published', async () => {
      const broken = {
        publish: () => Promise.reject(new Error('broker down')),
        publishMany: () => Promise.reject(new Error('broker down')),
      } as unknown as EventPublisher<FlywheelCatalogue>;
      const id = randomUUID();
      jobs = new Jobs({
        runs: stores.runs,
        logs: stores.logs,
        publisher: broken,
        config: JOBS_CONFIG,
        decision: DECISION,
        newId: () => id,
      });
      const err = await apiError(jobs.create(body));
      expect(err.status).toBe(503);
      expect(err.message).toMatch(/could not be started: the run request could not be published: broker down/);
      expect((await stores.runs.getRun(id)).status).toBe('failed');
    });
  });

  describe('list', () => {
    it('pages newest first and filters by workload, client and status', async () => {
      await seedLogs(stores.logs, 60, 'agent.other');
      const a = await jobs.create(body);
      const b = await jobs.create({ ...body, workload_id: 'agent.other' });
      await jobs.cancel(a.id);

      const first = await jobs.list({ limit: '1' });
      expect(first.jobs.map((j) => j.id)).toEqual([b.id]);
      expect(first.next_cursor).not.toBeNull();
      const second = await jobs.list({ limit: '1', cursor: first.next_cursor });
      expect(second.jobs.map((j) => j.id)).toEqual([a.id]);
      expect(second.next_cursor).toBeNull();

      expect((await jobs.list({ workload_id: 'agent.other' })).jobs.map((j) => j.id)).toEqual([b.id]);
      expect((await jobs.list({ status: 'cancelled' })).jobs.map((j) => j.id)).toEqual([a.id]);
      expect((await jobs.list({ status: 'pending,cancelled' })).jobs).toHaveLength(2);
      expect((await jobs.list({ client_id: 'nobody' })).jobs).toEqual([]);
      const item = (await jobs.list({ status: 'cancelled' })).jobs[0];
      expect(item).toEqual({
        id: a.id,
        workload_id: WORKLOAD,
        client_id: CLIENT,
        status: 'cancelled',
        started_at: item?.started_at,
        finished_at: item?.finished_at,
        datasets: [],
        error: 'Job cancelled by jobs-api',
      });
      expect([item?.started_at, item?.finished_at]).toEqual([
        expect.stringMatching(/Z$/) as unknown,
        expect.stringMatching(/Z$/) as unknown,
      ]);
    });

    it.each([
      [{ status: 'done' }, 'status'],
      [{ limit: '0' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ cursor: 'garbage' }, 'cursor'],
      [{ sort: 'asc' }, '(query)'],
    ])('refuses the query %j naming %s', async (query, field) => {
      const err = await apiError(jobs.list(query));
      expect(err.status).toBe(400);
      expect(err.fields?.map((f) => f.field)).toContain(field);
      if (field === '(query)') expect(err.message).toMatch(/sort/);
    });
  });

  describe('get', () => {
    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      expect((await apiError(jobs.get('not-a-uuid'))).status).toBe(400);
      const unknown = randomUUID();
      const err = await apiError(jobs.get(unknown));
      expect(err.status).toBe(404);
      expect(err.message).toBe(`Job ${unknown} not found`);
    });
  });

  describe('cancel', () => {
    it('cancels a pending job once and answers a repeat as already cancelled', async () => {
      const { id } = await jobs.create(body);
      expect(await jobs.cancel(id)).toEqual({
        id,
        message: 'Job cancellation initiated successfully.',
        status: 'cancelled',
      });
      expect(await jobs.cancel(id)).toEqual({ id, message: 'Job is already cancelled.', status: 'cancelled' });
      const requests = bus.publishedTo(Topics.runCancelRequestedV1);
      expect(requests).toHaveLength(2);
      expect(requests[0]?.event_id).toBe(requests[1]?.event_id);
      expect((await stores.runs.getRun(id)).status).toBe('cancelled');
    });

    it('answers 503 and changes nothing when the bus does not take the cancel request', async () => {
      const { id } = await jobs.create(body);
      const broken = {
        publish: () => Promise.reject(new Error('broker down')),
      } as unknown as EventPublisher<FlywheelCatalogue>;
      jobs = new Jobs({
        runs: stores.runs,
        logs: stores.logs,
        publisher: broken,
        config: JOBS_CONFIG,
        decision: DECISION,
      });
      const err = await apiError(jobs.cancel(id));
      expect(err.status).toBe(503);
      expect(err.message).toMatch(/did not accept flywheel.run.cancel-requested.v1: broker down; nothing was changed/);
      expect((await stores.runs.getRun(id)).status).toBe('pending');
    });

    it('refuses to cancel a finished job (409) and an unknown one (404)', async () => {
      const { id } = await jobs.create(body);
      await stores.runs.finishRun(id, 'completed', Date.now());
      const err = await apiError(jobs.cancel(id));
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/already finished \(status completed\)/);
      expect(bus.publishedTo(Topics.runCancelRequestedV1)).toEqual([]);
      expect((await apiError(jobs.cancel(randomUUID()))).status).toBe(404);
    });
  });

  describe('report and promote', () => {
    const [BIG, SMALL] = ['meta/llama-3.1-8b-instruct', 'meta/llama-3.2-1b-instruct'];

    /** A run whose events all arrived: 8B strong at base, 1B close to the teacher only after fine-tuning. */
    async function finishedRun(): Promise<string> {
      const { id } = await jobs.create(body);
      const p = new RunProjection({ store: stores.runs, publisher: bus, decision: DECISION });
      await p.runStarted(ev.runStarted(id));
      await p.datasetsBuilt(ev.datasetsBuilt(id));
      for (const [model, s] of [
        [BIG, [0.88, 0.93, 0.97]],
        [SMALL, [0.4, 0.55, 0.92]],
      ] as const) {
        await p.deployed(ev.deployed(id, model));
        await p.customizationCompleted(ev.customizationCompleted(id, model));
        await p.evaluationCompleted(ev.evalCompleted(id, model, 'base', s[0]));
        await p.evaluationCompleted(ev.evalCompleted(id, model, 'icl', s[1]));
        await p.evaluationCompleted(ev.evalCompleted(id, model, 'customized', s[2]));
      }
      return id;
    }

    it('ranks candidates by best score with base / icl / customized scores, the gap and sample counts', async () => {
      const id = await finishedRun();
      const report = await jobs.report(id);
      expect(report).toMatchObject({
        status: 'completed',
        final: true,
        primary_metric: 'function_name_and_args_accuracy',
      });
      expect(report.candidates.map((c) => [c.rank, c.model_name, c.best?.eval_type, c.best?.score])).toEqual([
        [1, BIG, 'customized', 0.97],
        [2, SMALL, 'customized', 0.92],
      ]);
      const small = report.candidates[1];
      expect(small?.scores.base?.function_name_and_args_accuracy).toBe(0.4);
      expect(small?.scores.icl?.function_name_and_args_accuracy).toBe(0.55);
      expect(small?.gap_to_teacher).toBeCloseTo(0.08);
      expect(small?.sample_counts).toEqual({ base: 20, icl: 20, customized: 20 });
      expect(small?.parameters_b).toBe(1);
      expect(small?.latency_ms).toEqual({ base: 250, icl: 250, customized: 250 });
      // 840 tokens per call: the 1B model at its size price, the 8B one at its configured price.
      expect(small?.cost.usd_per_1k_calls).toBeCloseTo((0.022 * 840 * 1000) / 1e6, 6);
      expect(report.candidates[0]?.cost.usd_per_1k_calls).toBeCloseTo((0.2 * 840 * 1000) / 1e6, 6);
      expect(small?.cost.savings).toBeCloseTo(1 - 0.022 / 0.85, 3);
      expect(report.recommendation.model_name).toBe(`${SMALL}@lora-${id.slice(0, 8)}`);
    });

    it('serves a partial report while the run is going', async () => {
      const { id } = await jobs.create(body);
      const report = await jobs.report(id);
      expect(report.final).toBe(false);
      expect(report.candidates.every((c) => c.best === null && c.scores.base === null)).toBe(true);
      expect(report.recommendation.model_name).toBeNull();
    });

    it('promotes the recommended model, or a named evaluated one, and announces it', async () => {
      const id = await finishedRun();
      const res = await jobs.promote(id, { promoted_by: 'alice', reason: 'cheaper' });
      expect(res.model_name).toBe(`${SMALL}@lora-${id.slice(0, 8)}`);
      expect(res.previous_model).toBe(DECISION.teacherModel);
      expect(bus.publishedTo(Topics.modelPromotedV1)).toEqual([
        expect.objectContaining({
          run_id: id,
          model_name: res.model_name,
          promoted_by: 'alice',
          reason: 'cheaper',
        }) as unknown,
      ]);
      expect((await jobs.promote(id, { model_name: BIG })).model_name).toBe(BIG);
    });

    it('refuses to promote from a run that is not completed (409) or a model it did not evaluate (422)', async () => {
      const { id: pending } = await jobs.create(body);
      const notDone = await apiError(jobs.promote(pending, {}));
      expect(notDone.status).toBe(409);
      expect(notDone.message).toMatch(/it is pending, not completed/);
      const id = await finishedRun();
      const unknown = await apiError(jobs.promote(id, { model_name: 'acme/other-2b' }));
      expect(unknown.status).toBe(422);
      expect(unknown.fields.map((f) => f.field)).toEqual(['model_name']);
      const typo = await apiError(jobs.promote(id, { modle_name: BIG }));
      expect(typo.status).toBe(422);
      expect(bus.publishedTo(Topics.modelPromotedV1)).toEqual([]);
    });
  });

  describe('delete', () => {
    it('refuses to delete a running job', async () => {
      const { id } = await jobs.create(body);
      await stores.runs.startRun(id, Date.now());
      const err = await apiError(jobs.delete(id));
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/while it is running\. Please cancel the job first/);
      expect(bus.publishedTo(Topics.runDeletedV1)).toEqual([]);
    });

    it('deletes a finished job and its records, announcing it', async () => {
      const { id } = await jobs.create(body);
      await jobs.cancel(id);
      expect((await jobs.delete(id)).message).toMatch(/Job deletion started/);
      expect(bus.publishedTo(Topics.runDeletedV1).map((e) => e.run_id)).toEqual([id]);
      expect((await apiError(jobs.get(id))).status).toBe(404);
      expect((await stores.runs.listEvaluations({ run_id: id })).items).toEqual([]);
    });
  });
});
