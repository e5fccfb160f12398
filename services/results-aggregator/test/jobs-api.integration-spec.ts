// The jobs API through the Nest app (HTTP on a free port, Node's fetch) with the projection consuming from the
// in-memory bus twin: every endpoint, every "bad input, named" case of issue 8, and a run driven to its end by events.
import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { AggregatorModule } from '../src/aggregator.module';
import { loadAggregatorConfig } from '../src/config/aggregator-config';
import { type ApiErrorBody } from '../src/jobs/api-error';
import { type JobDetailResponse, type JobsListResponse } from '../src/jobs/job-views';
import { CANDIDATES, CLIENT, ev, openStores, seedLogs, WORKLOAD, type Bus, type Stores } from './fixtures';

const BIG = CANDIDATES[0]?.model_name ?? '';
const SMALL = CANDIDATES[1]?.model_name ?? '';

describe('results-aggregator HTTP API', () => {
  let stores: Stores;
  let app: INestApplication;
  let bus: Bus;
  let base: string;

  beforeAll(async () => {
    stores = await openStores();
    await seedLogs(stores.logs, 60);
    await seedLogs(stores.logs, 10, 'agent.small');
    const config = loadAggregatorConfig({
      AGGREGATOR_DEFAULT_CANDIDATES: JSON.stringify(CANDIDATES),
      AGGREGATOR_TEACHER_SCORES: JSON.stringify({ function_name_and_args_accuracy: 1 }),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        AggregatorModule.forRoot(config, {
          bus: BusModule.forTesting(catalogue, { groupId: config.groupId }),
          runStore: stores.runs,
          logStore: stores.logs,
          defaultMetrics: false,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    bus = app.get(MemoryEventBus);
  });

  afterAll(async () => {
    await app.close();
    await stores.close();
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function createJob(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await call<{ id: string; status: string }>('POST', '/api/jobs', {
      workload_id: WORKLOAD,
      client_id: CLIENT,
      ...extra,
    });
    expect(res.status).toBe(200);
    await bus.drain();
    return res.body.id;
  }

  async function publish(...events: Parameters<Bus['publishMany']>[0]): Promise<void> {
    await bus.publishMany(events);
    await bus.drain();
  }

  it('POST /api/jobs answers the stored status and GET /api/jobs/{id} shows the planned candidates', async () => {
    const res = await call<{ id: string; status: string; message: string }>('POST', '/api/jobs', {
      workload_id: WORKLOAD,
      client_id: CLIENT,
      data_split_config: { eval_size: 10, val_ratio: 0.2 },
    });
    expect(res).toEqual({
      status: 200,
      body: { id: res.body.id, status: 'pending', message: 'NIM workflow started' },
    });
    await bus.drain();
    const detail = await call<JobDetailResponse>('GET', `/api/jobs/${res.body.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: res.body.id,
      workload_id: WORKLOAD,
      client_id: CLIENT,
      status: 'pending',
      finished_at: null,
      num_records: 0,
      llm_judge: null,
      datasets: [],
      error: null,
    });
    expect(detail.body.nims.map((n) => [n.model_name, n.status, n.deployment_status])).toEqual([
      [BIG, 'pending', 'pending'],
      [SMALL, 'pending', 'pending'],
    ]);
    expect(detail.body.nims[0]?.evaluations.map((e) => e.eval_type)).toEqual([
      'base-eval',
      'icl-eval',
      'customized-eval',
    ]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('follows a run to completion from its events and shows scores, datasets and the outcome', async () => {
    const id = await createJob();
    await publish(
      { topic: Topics.runStartedV1, payload: ev.runStarted(id) },
      { topic: Topics.datasetsBuiltV1, payload: ev.datasetsBuilt(id) },
      { topic: Topics.candidateDeployedV1, payload: ev.deployed(id, BIG) },
      { topic: Topics.evaluationStartedV1, payload: ev.evalStarted(id, BIG, 'base') },
      { topic: Topics.evaluationProgressV1, payload: ev.evalProgress(id, BIG, 'base', 40) },
    );
    let detail = (await call<JobDetailResponse>('GET', `/api/jobs/${id}`)).body;
    expect(detail.status).toBe('running');
    expect(detail.num_records).toBe(100);
    expect(detail.datasets.map((d) => d.name)).toEqual([`eval-${id}`, `icl-${id}`, `train-${id}`, `val-${id}`]);
    expect(detail.nims[0]).toMatchObject({ status: 'running-evals', deployment_status: 'ready' });
    expect(detail.nims[0]?.evaluations[0]).toMatchObject({
      status: 'running',
      progress: 40,
      job_id: `job-${BIG}-base`,
    });

    for (const [model, s] of [
      [BIG, [0.8, 0.85, 0.95]],
      [SMALL, [0.4, 0.5, 0.93]],
    ] as const) {
      await publish(
        { topic: Topics.candidateDeployedV1, payload: ev.deployed(id, model) },
        { topic: Topics.customizationCompletedV1, payload: ev.customizationCompleted(id, model) },
        { topic: Topics.evaluationCompletedV1, payload: ev.evalCompleted(id, model, 'base', s[0]) },
        { topic: Topics.evaluationCompletedV1, payload: ev.evalCompleted(id, model, 'icl', s[1]) },
        { topic: Topics.evaluationCompletedV1, payload: ev.evalCompleted(id, model, 'customized', s[2]) },
      );
    }
    detail = (await call<JobDetailResponse>('GET', `/api/jobs/${id}`)).body;
    expect(detail.status).toBe('completed');
    expect(detail.finished_at).toMatch(/Z$/);
    expect(detail.nims.map((n) => n.status)).toEqual(['completed', 'completed']);
    expect(detail.nims[1]?.evaluations[2]?.scores.function_name_and_args_accuracy).toBe(0.93);
    expect(detail.nims[1]?.customizations[0]).toMatchObject({
      status: 'completed',
      progress: 100,
      epochs_completed: 2,
    });
    const completed = bus.publishedTo(Topics.runCompletedV1).filter((e) => e.run_id === id);
    expect(completed).toHaveLength(1);
    const rec = bus.publishedTo(Topics.candidateRecommendedV1).find((e) => e.run_id === id);
    expect(rec?.recommended_model).toBe(`${SMALL}@lora-${id.slice(0, 8)}`);
    expect(bus.deadLetters).toEqual([]);

    const report = await call<{ candidates: { model_name: string; rank: number }[]; final: boolean }>(
      'GET',
      `/api/jobs/${id}/report`,
    );
    expect(report.status).toBe(200);
    expect(report.body.final).toBe(true);
    expect(report.body.candidates.map((c) => c.model_name)).toEqual([BIG, SMALL]);
    const promoted = await call<{ model_name: string }>('POST', `/api/jobs/${id}/promote`, {});
    expect(promoted.status).toBe(200);
    expect(promoted.body.model_name).toBe(rec?.recommended_model);
    expect(bus.publishedTo(Topics.modelPromotedV1).map((e) => e.run_id)).toEqual([id]);

    // The finished job appears in the list with the blueprint's item shape.
    const list = await call<JobsListResponse>('GET', `/api/jobs?status=completed`);
    expect(list.body.jobs.map((j) => j.id)).toEqual([id]);
    expect(Object.keys(list.body.jobs[0] ?? {}).sort()).toEqual(
      ['client_id', 'datasets', 'error', 'finished_at', 'id', 'started_at', 'status', 'workload_id'].sort(),
    );
  });

  it('cancels a job (idempotently) and the projection cancels its open work', async () => {
    const id = await createJob();
    const first = await call<{ id: string; message: string }>('POST', `/api/jobs/${id}/cancel`);
    expect(first).toEqual({
      status: 200,
      body: { id, message: 'Job cancellation initiated successfully.', status: 'cancelled' },
    });
    await bus.drain();
    const again = await call<{ message: string }>('POST', `/api/jobs/${id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.message).toBe('Job is already cancelled.');
    await bus.drain();
    const detail = (await call<JobDetailResponse>('GET', `/api/jobs/${id}`)).body;
    expect(detail.status).toBe('cancelled');
    expect(detail.nims.map((n) => n.status)).toEqual(['cancelled', 'cancelled']);
    const cancelled = bus.publishedTo(Topics.runCancelledV1).filter((e) => e.run_id === id);
    expect(new Set(cancelled.map((e) => e.event_id)).size).toBe(1);
  });

  it('deletes a finished job and its records', async () => {
    const id = await createJob();
    await call('POST', `/api/jobs/${id}/cancel`);
    const res = await call<{ id: string; message: string }>('DELETE', `/api/jobs/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.message).toMatch(/Job deletion started/);
    await bus.drain();
    expect((await call('GET', `/api/jobs/${id}`)).status).toBe(404);
    expect(bus.deadLetters).toEqual([]);
  });

  describe('bad input, named', () => {
    const expectError = (res: { status: number; body: ApiErrorBody }, status: number, detail: RegExp): void => {
      expect(res.status).toBe(status);
      expect(res.body.status).toBe(status);
      expect(res.body.detail).toMatch(detail);
    };

    it('unknown workload → 422 naming it', async () => {
      const res = await call<ApiErrorBody>('POST', '/api/jobs', { workload_id: 'agent.ghost', client_id: CLIENT });
      expectError(res, 422, /Unknown workload: no records are logged for workload_id 'agent.ghost'/);
      expect(res.body.fields?.map((f) => f.field)).toEqual(['workload_id']);
    });

    it('a workload with too few records → 422 with the count', async () => {
      const res = await call<ApiErrorBody>('POST', '/api/jobs', { workload_id: 'agent.small', client_id: CLIENT });
      expectError(res, 422, /has 10 logged records; a run needs at least 50/);
    });

    it.each([
      ['negative sizes', { data_split_config: { eval_size: -1 } }, 'data_split_config.eval_size'],
      ['val_ratio ≥ 1', { data_split_config: { val_ratio: 1 } }, 'data_split_config.val_ratio'],
      [
        'max_examples > eval size',
        { data_split_config: { eval_size: 2 }, icl_config: { max_examples: 5 } },
        'icl_config.max_examples',
      ],
      ['an unknown key', { data_split_config: { eval_sise: 5 } }, 'data_split_config'],
    ])('invalid override (%s) → 422 naming the field', async (_what, override, field) => {
      const res = await call<ApiErrorBody>('POST', '/api/jobs', {
        workload_id: WORKLOAD,
        client_id: CLIENT,
        ...override,
      });
      expectError(res, 422, new RegExp(field.replace(/\./g, '\\.')));
      expect(res.body.fields?.map((f) => f.field)).toContain(field);
    });

    it('malformed JSON → 400', async () => {
      const res = await call<ApiErrorBody>('POST', '/api/jobs', '{"workload_id": ');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
      expect(res.body.detail).toMatch(/^Malformed request body|JSON/);
    });

    it('an unknown route under /api → 404 in the same shape', async () => {
      const res = await call<ApiErrorBody>('GET', '/api/jobz');
      expectError(res, 404, /Cannot GET \/api\/jobz/);
    });

    it('cancel of a finished run → 409', async () => {
      const id = await createJob();
      await publish({ topic: Topics.datasetsFailedV1, payload: ev.datasetsFailed(id) });
      const res = await call<ApiErrorBody>('POST', `/api/jobs/${id}/cancel`);
      expectError(res, 409, /it has already finished \(status failed\)/);
    });

    it('delete of a running run → 409', async () => {
      const id = await createJob();
      await publish({ topic: Topics.runStartedV1, payload: ev.runStarted(id) });
      const res = await call<ApiErrorBody>('DELETE', `/api/jobs/${id}`);
      expectError(res, 409, /while it is running\. Please cancel the job first/);
    });

    it('malformed ids → 400, unknown ids → 404, on every route', async () => {
      for (const [method, suffix] of [
        ['GET', ''],
        ['POST', '/cancel'],
        ['DELETE', ''],
        ['GET', '/report'],
        ['POST', '/promote'],
      ] as const) {
        expectError(
          await call<ApiErrorBody>(method, `/api/jobs/12345${suffix}`),
          400,
          /Invalid job id "12345": must be a UUID/,
        );
        expectError(
          await call<ApiErrorBody>(method, `/api/jobs/00000000-0000-4000-8000-000000000000${suffix}`),
          404,
          /not found/,
        );
      }
    });

    it('promote of a run that is not completed → 409', async () => {
      const id = await createJob();
      const res = await call<ApiErrorBody>('POST', `/api/jobs/${id}/promote`, {});
      expectError(res, 409, /it is pending, not completed/);
    });

    it('a bad list query → 400 naming the parameter', async () => {
      const res = await call<ApiErrorBody>('GET', '/api/jobs?status=finished');
      expectError(res, 400, /status: must be one of pending, running, completed, cancelled, failed/);
      expect(res.body.fields?.[0]?.field).toBe('status');
    });
  });

  it('serves the OpenAPI document at /api/docs', async () => {
    const docs = await call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toBe('3.1.0');
    expect(Object.keys(docs.body.paths)).toContain('/api/jobs/{id}/report');
  });

  it('serves readiness and metrics', async () => {
    const ready = await call<{ status: string; checks: Record<string, unknown> }>('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks)).toEqual(expect.arrayContaining(['run-store', 'log-store']));
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
  });
});
