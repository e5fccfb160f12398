// The blueprint bugs of inventory §10 that the platform clients fix, one test (or more) each, against the simulator.
import { PlatformArgumentError, PlatformJobError } from '@flywheel/platform-clients';
import { SMALL_MODEL, TEACHER_MODEL } from './fixtures';
import { DATASET, FAST_WAIT, HYPER, type Harness, seed, startHarness } from './nemo-harness';

describe('blueprint bugs §10 (NeMo adapter)', () => {
  let h: Harness;
  afterEach(() => h.sim.stop());

  it('§10.2 a ready deployment counts as deployed and is reused, not re-POSTed', async () => {
    h = await startHarness();
    await h.platform.deployments.deploy({ model: SMALL_MODEL });
    const ready = await h.platform.deployments.waitUntilReady(SMALL_MODEL, FAST_WAIT);
    expect(ready).toMatchObject({ rawStatus: 'ready', deployed: true });
    await h.platform.deployments.deploy({ model: SMALL_MODEL });
    expect(h.requests.filter((r) => r.method === 'POST' && r.path === '/v1/deployment/model-deployments')).toHaveLength(
      1,
    );
  });

  it('§10.2 DMS\'s 500 "model deployment already exists" is treated as success', async () => {
    h = await startHarness();
    await h.platform.deployments.deploy({ model: SMALL_MODEL });
    // The adapter's look-up misses it once (as after a restart of DMS's cache): it POSTs and meets the 500.
    h.sim.faults.add({
      method: 'GET',
      path: '/v1/deployment/model-deployments',
      action: { kind: 'http-error', status: 404 },
    });
    const d = await h.platform.deployments.deploy({ model: SMALL_MODEL });
    expect(d.model).toBe(SMALL_MODEL);
    expect(h.requests.filter((r) => r.method === 'POST' && r.path === '/v1/deployment/model-deployments')).toHaveLength(
      2,
    );
  });

  it('§10.3 a failed deployment ends the wait at once instead of polling to the timeout', async () => {
    h = await startHarness({ delays: { deploymentMs: 40 } });
    h.sim.faults.addJobFault({ target: 'deployment', mode: 'fail', message: 'ImagePullBackOff' });
    await h.platform.deployments.deploy({ model: SMALL_MODEL });
    const started = Date.now();
    const err = await h.platform.deployments
      .waitUntilReady(SMALL_MODEL, { pollIntervalMs: 5, timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformJobError);
    expect(err).toMatchObject({
      reason: 'failed',
      message: 'deployments.waitUntilReady failed: failed: ImagePullBackOff',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('§10.4 unknown deployment statuses map to unknown (and cancelling to cancelled) without crashing', async () => {
    h = await startHarness();
    await h.platform.deployments.deploy({ model: SMALL_MODEL });
    h.sim.faults.add({
      method: 'GET',
      path: '/v1/deployment/model-deployments',
      action: { kind: 'rewrite-status', status: 'Hibernating' },
    });
    expect(await h.platform.deployments.get(SMALL_MODEL)).toMatchObject({
      status: 'unknown',
      rawStatus: 'Hibernating',
      deployed: false,
    });
    h.sim.faults.add({
      method: 'GET',
      path: '/v1/deployment/model-deployments',
      action: { kind: 'rewrite-status', status: 'cancelling' },
    });
    await expect(h.platform.deployments.waitUntilReady(SMALL_MODEL, FAST_WAIT)).rejects.toMatchObject({
      reason: 'cancelled',
    });
  });

  it('§10.5 an evaluation that is pending keeps waiting; a cancelled one is terminal', async () => {
    h = await startHarness({ delays: { jobStartMs: 60, evaluationSampleMs: 30 } });
    await seed(h);
    const judge = { kind: 'platform', model: TEACHER_MODEL } as const;
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge,
    });
    const seen: string[] = [];
    await h.platform.evaluation.waitForCompletion(job.id, { ...FAST_WAIT, onUpdate: (j) => seen.push(j.rawStatus) });
    expect(seen).toContain('pending');
    expect(seen[seen.length - 1]).toBe('completed');

    const second = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge,
    });
    const waiting = h.platform.evaluation.waitForCompletion(second.id, FAST_WAIT);
    await h.platform.evaluation.cancelJob(second.id);
    await expect(waiting).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('§10.6 customization cancel uses POST /v1/customization/jobs/{id}/cancel, and 201 is accepted', async () => {
    h = await startHarness({ delays: { customizationStepMs: 50 } });
    const config = await seed(h); // the simulator answers 201 to config creation
    const job = await h.platform.customization.createJob({
      runId: 'c',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    }); // 201 too
    await h.platform.customization.cancelJob(job.id);
    expect(h.requests).toContainEqual({ method: 'POST', path: `/v1/customization/jobs/${job.id}/cancel` });
    expect(h.requests.some((r) => r.path.startsWith('/v1/customizations/'))).toBe(false);
    expect(await h.platform.customization.getJob(job.id)).toMatchObject({ status: 'cancelled' });
  });

  it('§10.14 a missing job id is refused before any request is sent', async () => {
    h = await startHarness();
    const before = h.requests.length;
    for (const id of [null, undefined, '', '  ']) {
      await expect(h.platform.customization.cancelJob(id as unknown as string)).rejects.toBeInstanceOf(
        PlatformArgumentError,
      );
      await expect(h.platform.evaluation.cancelJob(id as unknown as string)).rejects.toBeInstanceOf(
        PlatformArgumentError,
      );
    }
    expect(h.requests.length).toBe(before);
  });

  it('§10.16 calls time out and are retried a bounded number of times', async () => {
    h = await startHarness({}, { timeoutMs: 80, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    h.sim.faults.add({ method: 'GET', path: '/v1/models', times: 5, action: { kind: 'stall', ms: 300 } });
    await expect(h.platform.deployments.listServedModels()).rejects.toThrow(
      'nim.listModels failed: no response within 80 ms',
    );
    expect(h.requests.filter((r) => r.path === '/v1/models')).toHaveLength(2);
  });

  it('§10.22 a running evaluation job can be cancelled', async () => {
    h = await startHarness({ delays: { evaluationSampleMs: 50 } });
    await seed(h);
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: { kind: 'platform', model: TEACHER_MODEL },
    });
    await h.platform.evaluation.cancelJob(job.id);
    expect(await h.platform.evaluation.getJob(job.id)).toMatchObject({ status: 'cancelled' });
    expect(h.requests).toContainEqual({ method: 'POST', path: `/v1/evaluation/jobs/${job.id}/cancel` });
  });

  it('§10.25 output models are unique per run and job names carry no "/"', async () => {
    h = await startHarness();
    const config = await seed(h);
    const spec = {
      workloadId: 'agent/tools',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    };
    const a = await h.platform.customization.createJob({ ...spec, runId: 'run-1' });
    await h.platform.customization.waitForCompletion(a.id, FAST_WAIT);
    const b = await h.platform.customization.createJob({ ...spec, runId: 'run-2' }); // the simulator 409s a reused output model
    await h.platform.customization.waitForCompletion(b.id, FAST_WAIT);
    expect(a.outputModel).not.toBe(b.outputModel);
    expect(a.outputModel).toBe('dfwbp/customized-meta-llama-3.2-1b-instruct-run-1');
    const jobs = [...h.sim.state.customizationJobs.values()];
    expect(jobs.every((j) => !j.name.includes('/'))).toBe(true);
  });
});
