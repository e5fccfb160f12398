// Error paths with injected faults: timeouts, 500s, 429s/503s (Retry-After), dropped connections, malformed
// JSON, jobs that stall or fail, unknown statuses — through the NeMo adapters and the OpenAI-compatible ones.
import {
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformResponseError,
  PlatformTimeoutError,
  createOpenAICompatiblePlatform,
} from '@flywheel/platform-clients';
import { startPlatformSimulator } from '../src';
import { NO_RETRY_DELAY, SMALL_MODEL, TEACHER_MODEL, logLines } from './fixtures';
import { DATASET, FAST_WAIT, HYPER, type Harness, seed, startHarness } from './nemo-harness';

const JUDGE = { kind: 'platform', model: TEACHER_MODEL } as const;

describe('error paths (NeMo adapter, injected faults)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({}, { timeoutMs: 150, retry: { ...NO_RETRY_DELAY, maxAttempts: 3 } });
  });
  afterEach(() => h.sim.stop());

  it('times out a stalled call, naming it, after bounded retries of an idempotent GET', async () => {
    h.sim.faults.add({
      method: 'GET',
      path: '/v1/deployment/model-deployments',
      times: 3,
      action: { kind: 'stall', ms: 400 },
    });
    const err = await h.platform.deployments.get(SMALL_MODEL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformTimeoutError);
    expect((err as Error).message).toBe('deployments.get failed: no response within 150 ms');
    expect(h.requests.filter((r) => r.path.startsWith('/v1/deployment/'))).toHaveLength(3);
  });

  it('recovers when a stalled idempotent call succeeds on retry', async () => {
    h.sim.faults.add({ method: 'GET', path: '/v1/deployment/model-deployments', action: { kind: 'stall', ms: 400 } });
    expect(await h.platform.deployments.get(SMALL_MODEL)).toBeNull();
  });

  it('retries a 500 on GET but not on a non-idempotent POST', async () => {
    const config = await seed(h);
    h.sim.faults.add({ method: 'GET', path: '/v1/datasets/', action: { kind: 'http-error', status: 500 } });
    expect(await h.platform.datasets.getDataset(DATASET)).toMatchObject(DATASET);

    h.sim.faults.add({
      method: 'POST',
      path: '/v1/customization/jobs',
      action: { kind: 'http-error', status: 500, body: 'boom' },
    });
    const err = await h.platform.customization
      .createJob({
        runId: 'r',
        workloadId: 'w',
        baseModel: SMALL_MODEL,
        config,
        dataset: DATASET,
        hyperparameters: HYPER,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformHttpError);
    expect((err as Error).message).toBe('customizer.createJob failed: HTTP 500 Internal Server Error: boom');
    expect(h.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customization/jobs')).toHaveLength(1);
  });

  it('retries 429 with Retry-After even for a POST, and gives up on a persistent 503', async () => {
    await seed(h);
    h.sim.faults.add({
      method: 'POST',
      path: '/v1/evaluation/jobs',
      action: { kind: 'http-error', status: 429, retryAfterSeconds: 0.01 },
    });
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    expect(job.id).toEqual(expect.any(String));
    expect(h.requests.filter((r) => r.method === 'POST' && r.path === '/v1/evaluation/jobs')).toHaveLength(2);

    h.sim.faults.add({ path: '/v1/evaluation/jobs', times: 5, action: { kind: 'http-error', status: 503 } });
    const err = await h.platform.evaluation.getJob(job.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformHttpError);
    expect(err).toMatchObject({ status: 503, call: 'evaluator.getJob' });
  });

  it('reports a dropped connection on a POST as a network error', async () => {
    h.sim.faults.add({ method: 'POST', path: '/v1/namespaces', action: { kind: 'drop-connection' } });
    // Namespace creation is idempotent (409 counts as done), so it is retried after the drop.
    await expect(h.platform.datasets.ensureNamespace('x')).resolves.toBeUndefined();
    h.sim.faults.add({ method: 'POST', path: '/v1/customization/configs', action: { kind: 'drop-connection' } });
    await expect(
      h.platform.customization.ensureConfig({ baseModel: SMALL_MODEL, target: 't', gpus: 1 }),
    ).rejects.toBeInstanceOf(PlatformNetworkError);
  });

  it('rejects a malformed JSON body with a typed error', async () => {
    await seed(h);
    const job = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    h.sim.faults.add({ method: 'GET', path: `/v1/evaluation/jobs/${job.id}`, action: { kind: 'malformed-json' } });
    const err = await h.platform.evaluation.getJob(job.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformResponseError);
    expect((err as Error).message).toMatch(/^evaluator.getJob failed: unexpected response: malformed JSON body/);
  });

  it('fails a customization that stalls, and says so', async () => {
    const config = await seed(h);
    h.sim.faults.addJobFault({ target: 'customization', mode: 'stall' });
    const job = await h.platform.customization.createJob({
      runId: 'stall',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    const err = await h.platform.customization
      .waitForCompletion(job.id, { ...FAST_WAIT, stallTimeoutMs: 60 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformJobError);
    expect(err).toMatchObject({ reason: 'stalled' });
  });

  it('reports NotEnoughResources when a customization never gets GPUs', async () => {
    await h.sim.stop();
    h = await startHarness({ gpuCapacity: 0 });
    const config = await seed(h);
    const job = await h.platform.customization.createJob({
      runId: 'gpu',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    const err = await h.platform.customization
      .waitForCompletion(job.id, { ...FAST_WAIT, stallTimeoutMs: 60 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'insufficient-resources' });
    expect((await h.platform.customization.getJob(job.id)).message).toBe('NotEnoughResources');
  });

  it('fails a customization that fails part-way with the platform detail', async () => {
    const config = await seed(h);
    h.sim.faults.addJobFault({ target: 'customization', mode: 'fail', message: 'CUDA out of memory' });
    const job = await h.platform.customization.createJob({
      runId: 'oom',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    const err = await h.platform.customization.waitForCompletion(job.id, FAST_WAIT).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'failed' });
    expect((err as Error).message).toBe('customizer.waitForCompletion failed: failed: CUDA out of memory');
  });

  it('fails an evaluation that fails, and one whose model is not served', async () => {
    await seed(h);
    h.sim.faults.addJobFault({ target: 'evaluation', mode: 'fail', message: 'judge unavailable' });
    const failing = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    await expect(h.platform.evaluation.waitForCompletion(failing.id, FAST_WAIT)).rejects.toThrow(
      /failed: judge unavailable/,
    );
    const unserved = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: 'acme/ghost-3b',
      dataset: DATASET,
      judge: JUDGE,
    });
    await expect(h.platform.evaluation.waitForCompletion(unserved.id, FAST_WAIT)).rejects.toThrow(/not served/);
  });

  it('keeps waiting through statuses it does not know', async () => {
    const config = await seed(h);
    const job = await h.platform.customization.createJob({
      runId: 'odd',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    h.sim.faults.add({
      method: 'GET',
      path: `/v1/customization/jobs/${job.id}/status`,
      times: 2,
      action: { kind: 'rewrite-status', status: 'Reticulating' },
    });
    const seen: string[] = [];
    const done = await h.platform.customization.waitForCompletion(job.id, {
      ...FAST_WAIT,
      onUpdate: (j) => seen.push(`${j.status}:${j.rawStatus}`),
    });
    expect(seen.slice(0, 2)).toEqual(['unknown:Reticulating', 'unknown:Reticulating']);
    expect(done.status).toBe('succeeded');
  });
});

describe('error paths (OpenAI-compatible adapter, local evaluation)', () => {
  it('scores failed candidate calls as wrong and keeps judge failures out of the mean', async () => {
    const sim = await startPlatformSimulator({
      servedModels: [SMALL_MODEL, TEACHER_MODEL],
      teacherAnswers: [logLines('bfcl-multiple.jsonl', 0, 6)],
    });
    try {
      const v1 = `${sim.url}/v1`;
      const platform = createOpenAICompatiblePlatform({
        endpoints: [{ model: SMALL_MODEL, baseUrl: v1 }],
        judge: { model: TEACHER_MODEL, baseUrl: v1 },
        evaluation: { concurrency: 1, pollIntervalMs: 5 },
        retry: { ...NO_RETRY_DELAY, maxAttempts: 1 },
      });
      await platform.datasets.uploadFile(
        { namespace: 'n', name: 'd' },
        { path: 'eval_data.jsonl', content: logLines('bfcl-multiple.jsonl', 0, 6) },
      );
      // Record 0: the candidate call fails. The first judge call (record 1's, if it made a call) fails too.
      sim.faults.add({ method: 'POST', path: '/v1/chat/completions', action: { kind: 'http-error', status: 500 } });
      const job = await platform.evaluation.createJob({
        kind: 'tool-calling',
        model: SMALL_MODEL,
        dataset: { namespace: 'n', name: 'd' },
        judge: { kind: 'platform', model: TEACHER_MODEL },
      });
      await platform.evaluation.waitForCompletion(job.id, FAST_WAIT);
      const results = await platform.evaluation.getResults(job.id);
      expect(results.samples).toHaveLength(6);
      expect(results.samples[0]?.scores).toEqual({
        function_name_accuracy: 0,
        function_name_and_args_accuracy: 0,
        tool_calling_correctness: 0,
      });
      expect(results.samples[0]?.error).toMatch(/^candidate: openai.chatCompletion failed: HTTP 500/);
      expect(results.samples.slice(1).every((s) => s.error === null && s.usage.totalTokens > 0)).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});
