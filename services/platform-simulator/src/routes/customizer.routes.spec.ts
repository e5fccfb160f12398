// The simulated Customizer's job list (NeMo's page shape, newest-first sort, filters) and the losses its status
// reports (training loss every 10 steps and falling, validation loss per epoch).
import { FaultInjector } from '../http/faults';
import { type Reply } from '../http/reply';
import { Router } from '../http/router';
import { simulatorOptionsSchema } from '../options';
import { PlatformState } from '../state/platform-state';
import { type CustomizationJobRecord } from '../state/records';
import { registerCustomizerRoutes } from './customizer.routes';

function setup() {
  const state = new PlatformState(simulatorOptionsSchema.parse({}), new FaultInjector());
  const router = new Router();
  registerCustomizerRoutes(router, state);
  const get = async (pathAndQuery: string): Promise<Reply & { json: Record<string, unknown> }> => {
    const url = new URL(pathAndQuery, 'http://sim');
    const route = router.match('GET', url.pathname);
    if (route === null || route === 'method-not-allowed') throw new Error(`no route ${url.pathname}`);
    const reply = await route.handler(
      { method: 'GET', path: url.pathname, headers: {}, body: Buffer.alloc(0), query: url.searchParams },
      route.params,
    );
    return reply as Reply & { json: Record<string, unknown> };
  };
  const add = (i: number, patch: Partial<CustomizationJobRecord> = {}): CustomizationJobRecord => {
    const job: CustomizationJobRecord = {
      id: `cust-${i}`,
      name: `job-${i}`,
      namespace: 'dfwbp',
      outputModel: `dfwbp/model-${i}`,
      baseModel: 'meta/llama-3.2-1b-instruct',
      config: 'dfwbp/cfg',
      dataset: { namespace: 'dfwbp', name: 'train' },
      hyperparameters: { epochs: 2, batch_size: 4 },
      trainingRecords: 48,
      gpus: 1,
      epochs: 2,
      stepsPerEpoch: 12,
      createdAt: 1000 + i,
      startedAt: null,
      stepsDone: 0,
      status: 'created',
      logs: [],
      fault: null,
      ...patch,
    };
    state.customizationJobs.set(job.id, job);
    return job;
  };
  return { get, add };
}

describe('simulated Customizer routes', () => {
  it('lists jobs a page at a time, newest first on request, with NeMo pagination data', async () => {
    const { get, add } = setup();
    for (let i = 1; i <= 5; i++) add(i);
    const first = await get('/v1/customization/jobs?page=1&page_size=2&sort=-created_at');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      object: 'list',
      pagination: { page: 1, page_size: 2, current_page_size: 2, total_pages: 3, total_results: 5 },
    });
    const ids = (r: { json: Record<string, unknown> }) => (r.json.data as { id: string }[]).map((j) => j.id);
    expect(ids(first)).toEqual(['cust-5', 'cust-4']);
    expect(ids(await get('/v1/customization/jobs?page=3&page_size=2&sort=-created_at'))).toEqual(['cust-1']);
    expect(ids(await get('/v1/customization/jobs?page_size=2'))).toEqual(['cust-1', 'cust-2']);
    const listed = (first.json.data as Record<string, unknown>[])[0];
    expect(listed).toMatchObject({ id: 'cust-5', output_model: 'dfwbp/model-5', status: 'created' });
  });

  it('filters by status and refuses bad paging', async () => {
    const { get, add } = setup();
    add(1, { status: 'failed' });
    add(2, { status: 'running' });
    const running = await get('/v1/customization/jobs?filter%5Bstatus%5D=running');
    expect((running.json.data as { id: string }[]).map((j) => j.id)).toEqual(['cust-2']);
    expect((await get('/v1/customization/jobs?page=0')).status).toBe(422);
    expect((await get('/v1/customization/jobs?sort=name')).status).toBe(422);
  });

  it('reports falling training losses every 10 steps and a validation loss per epoch', async () => {
    const { get, add } = setup();
    add(1, { status: 'running', startedAt: 2000, stepsDone: 24 });
    const status = await get('/v1/customization/jobs/cust-1/status');
    const metrics = status.json.metrics as {
      keys: string[];
      metrics: { train_loss: { step: number; value: number }[]; val_loss: { step: number; value: number }[] };
    };
    expect(metrics.keys).toEqual(['train_loss', 'val_loss']);
    expect(metrics.metrics.train_loss.map((m) => m.step)).toEqual([10, 20, 24]);
    const train = metrics.metrics.train_loss.map((m) => m.value);
    expect(train[0]).toBeGreaterThan(train[1] ?? Infinity);
    expect(train[1]).toBeGreaterThan(train[2] ?? Infinity);
    expect(metrics.metrics.val_loss.map((m) => m.step)).toEqual([12, 24]);
    for (const v of metrics.metrics.val_loss) expect(v.value).toBeGreaterThan(0);
    // The job document carries the same details.
    const job = await get('/v1/customization/jobs/cust-1');
    expect((job.json.status_details as { metrics: unknown }).metrics).toEqual(metrics);
  });

  it('reports no losses before training starts', async () => {
    const { get, add } = setup();
    add(1);
    const status = await get('/v1/customization/jobs/cust-1/status');
    expect(status.json.metrics).toEqual({
      keys: ['train_loss', 'val_loss'],
      metrics: { train_loss: [], val_loss: [] },
    });
  });
});
