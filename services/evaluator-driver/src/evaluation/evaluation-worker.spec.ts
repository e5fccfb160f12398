import { EventPublisher, type OutgoingEvent, type PayloadOf, type PublishReceipt, type TopicOf } from '@flywheel/bus';
import { Topics, type EvaluationCompletedV1, type EvaluationFailedV1 } from '@flywheel/contracts';
import {
  PlatformHttpError,
  PlatformNetworkError,
  PlatformNotFoundError,
  waitForJob,
  type EvaluationClient,
  type EvaluationJob,
  type EvaluationResults,
  type EvaluationSpec,
  type JobStatus,
  type WaitOptions,
} from '@flywheel/platform-clients';
import { type WorkerSettings } from '../config/evaluator-config';
import { EvaluationStateStore } from '../state/evaluation-state-store';
import { EvaluationWorker, type FlywheelCatalogue } from './evaluation-worker';

const M1 = 'meta/llama-3.2-1b-instruct';
const M2 = 'meta/llama-3.1-8b-instruct';

interface FakeJob {
  status: JobStatus;
  progress: number;
  spec: EvaluationSpec;
}

/** An evaluation service whose jobs the test moves by hand; every call can be made to fail. */
class FakeEvaluator implements EvaluationClient {
  public readonly jobs = new Map<string, FakeJob>();
  public readonly created: EvaluationSpec[] = [];
  public readonly cancelled: string[] = [];
  public createErrors: Error[] = [];
  public cancelErrors: Error[] = [];
  /** When set, createJob waits for it (a create in flight). */
  public createGate: Promise<void> | null = null;
  private next = 1;

  public async createJob(spec: EvaluationSpec): Promise<EvaluationJob> {
    await this.createGate;
    const err = this.createErrors.shift();
    if (err !== undefined) throw err;
    this.created.push(spec);
    const id = `job-${this.next++}`;
    this.jobs.set(id, { status: 'running', progress: 0, spec });
    return this.snapshot(id);
  }

  public getJob(jobId: string): Promise<EvaluationJob> {
    return this.jobs.has(jobId)
      ? Promise.resolve(this.snapshot(jobId))
      : Promise.reject(new PlatformNotFoundError('fake.getJob', jobId));
  }

  public getResults(jobId: string): Promise<EvaluationResults> {
    return Promise.resolve({
      jobId,
      scores: { function_name_accuracy: 0.75, function_name_and_args_accuracy: 0.5 },
      sampleCount: 4,
      samples: [0, 1, 2, 3].map((index) => ({
        index,
        scores: {},
        latencyMs: index === 3 ? null : 100 * (index + 1),
        usage: { promptTokens: 10, completionTokens: 2 * (index + 1), totalTokens: 10 + 2 * (index + 1) },
        prediction: { content: null, toolCalls: [] },
        error: index === 0 ? 'candidate call failed' : null,
      })),
      samplesUnavailable: null,
    });
  }

  public cancelJob(jobId: string): Promise<void> {
    const err = this.cancelErrors.shift();
    if (err !== undefined) return Promise.reject(err);
    this.cancelled.push(jobId);
    const job = this.jobs.get(jobId);
    if (job) job.status = 'cancelled';
    return Promise.resolve();
  }

  public deleteJob(jobId: string): Promise<void> {
    this.jobs.delete(jobId);
    return Promise.resolve();
  }

  public waitForCompletion(jobId: string, options: WaitOptions<EvaluationJob> = {}): Promise<EvaluationJob> {
    return waitForJob('fake.waitForCompletion', () => this.getJob(jobId), { ...options, pollIntervalMs: 2 });
  }

  public set(jobId: string, status: JobStatus, progress = 0): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    job.status = status;
    job.progress = progress;
  }

  public live(): string[] {
    return [...this.jobs].filter(([, j]) => j.status === 'running' || j.status === 'pending').map(([id]) => id);
  }

  private snapshot(id: string): EvaluationJob {
    const j = this.jobs.get(id);
    if (!j) throw new Error(`no job ${id}`);
    return { id, status: j.status, rawStatus: j.status, progress: j.progress, message: null, error: null };
  }
}

/** Collects what is published; publishes of the next `failures` events throw. */
class FakePublisher extends EventPublisher<FlywheelCatalogue> {
  public readonly events: { topic: string; payload: { event_id: string; eval_type?: string } }[] = [];
  public failures = 0;

  public publish<T extends TopicOf<FlywheelCatalogue>>(
    topic: T,
    payload: PayloadOf<FlywheelCatalogue, T>,
  ): Promise<PublishReceipt> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('broker unavailable'));
    }
    this.events.push({ topic, payload: payload as { event_id: string } });
    return Promise.resolve({ topic, partition: 0, offset: String(this.events.length) });
  }

  /** Unused by the worker. */
  public publishMany(_events: readonly OutgoingEvent<FlywheelCatalogue>[]): Promise<void> {
    return Promise.reject(new Error('publishMany is not used by the worker'));
  }

  public of<T>(topic: string): T[] {
    return this.events.filter((e) => e.topic === topic).map((e) => e.payload as T);
  }
}

const SETTINGS: WorkerSettings = {
  maxConcurrentJobs: 4,
  progressIntervalMs: 0,
  tickIntervalMs: 5,
  jobAttempts: 3,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  limit: undefined,
  judge: { kind: 'platform', model: 'meta/llama-3.3-70b-instruct' },
};

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('EvaluationWorker', () => {
  let state: EvaluationStateStore;
  let evaluator: FakeEvaluator;
  let publisher: FakePublisher;
  const workers: EvaluationWorker[] = [];

  function worker(settings: Partial<WorkerSettings> = {}, stallTimeoutMs = 10_000): EvaluationWorker {
    const w = new EvaluationWorker({
      state,
      evaluation: evaluator,
      publisher,
      namespace: 'dfwbp',
      wait: { pollIntervalMs: 2, timeoutMs: 10_000, stallTimeoutMs },
      settings: { ...SETTINGS, ...settings },
    });
    workers.push(w);
    w.start();
    return w;
  }

  beforeEach(() => {
    state = new EvaluationStateStore(':memory:');
    evaluator = new FakeEvaluator();
    publisher = new FakePublisher();
    state.recordDatasets('r1', { evalDataset: 'eval-r1', workloadType: 'tool_calling', iclByModel: { [M1]: 'icl-1' } });
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    state.close();
  });

  it('creates tool-calling jobs on the right datasets with the judge, and reports the results without the samples', async () => {
    state.recordDeployed('r1', M1);
    worker();
    await until('two jobs', () => evaluator.created.length === 2);
    expect(evaluator.created.map((s) => [s.kind, s.model, s.dataset.name])).toEqual([
      ['tool-calling', M1, 'eval-r1'],
      ['tool-calling', M1, 'icl-1'],
    ]);
    expect(evaluator.created[0]?.judge).toEqual({ kind: 'platform', model: 'meta/llama-3.3-70b-instruct' });
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 2);
    evaluator.set('job-1', 'succeeded', 100);
    await until('completed', () => publisher.of(Topics.evaluationCompletedV1).length === 1);
    const [completed] = publisher.of<EvaluationCompletedV1>(Topics.evaluationCompletedV1);
    expect(completed).toMatchObject({
      eval_type: 'base',
      job_id: 'job-1',
      scores: { function_name_accuracy: 0.75, function_name_and_args_accuracy: 0.5 },
      sample_count: 4,
      failed_sample_count: 1,
      mean_latency_ms: 200,
      mean_prompt_tokens: 10,
      mean_completion_tokens: 5,
    });
    expect(JSON.stringify(completed)).not.toContain('candidate call failed');
  });

  it('keeps at most maxConcurrentJobs jobs open and starts the next when one ends', async () => {
    state.recordDeployed('r1', M1);
    state.recordDeployed('r1', M2);
    worker({ maxConcurrentJobs: 1 });
    await until('one job', () => evaluator.created.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(evaluator.created).toHaveLength(1);
    evaluator.set('job-1', 'succeeded', 100);
    await until('the second job', () => evaluator.created.length === 2);
    expect(evaluator.live()).toEqual(['job-2']);
  });

  it('publishes progress on changes only, and never after the result', async () => {
    state.recordDeployed('r1', M2);
    worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    evaluator.set('job-1', 'running', 40);
    await until('40 %', () =>
      publisher.of<{ percent: number }>(Topics.evaluationProgressV1).some((p) => p.percent === 40),
    );
    await new Promise((r) => setTimeout(r, 20));
    evaluator.set('job-1', 'succeeded', 100);
    await until('completed', () => publisher.of(Topics.evaluationCompletedV1).length === 1);
    const percents = publisher.of<{ percent: number }>(Topics.evaluationProgressV1).map((p) => p.percent);
    expect(percents).toEqual([0, 40]);
    expect(publisher.events.at(-1)?.topic).toBe(Topics.evaluationCompletedV1);
  });

  it('tries a create again after transient errors, then fails with PLATFORM_UNAVAILABLE', async () => {
    state.recordDeployed('r1', M2);
    const down = new PlatformNetworkError('evaluator.createJob', new Error('ECONNREFUSED'));
    evaluator.createErrors = [down, down, down];
    worker();
    await until('failed', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    const [failed] = publisher.of<EvaluationFailedV1>(Topics.evaluationFailedV1);
    expect(failed).toMatchObject({ job_id: null, error: { code: 'PLATFORM_UNAVAILABLE', retryable: true } });
    expect(failed?.error.message).toContain(
      `base evaluation of ${M2} failed: evaluator.createJob failed: network error`,
    );
    expect(state.get({ runId: 'r1', modelName: M2, evalType: 'base' })).toMatchObject({
      status: 'failed',
      jobAttempts: 3,
    });
  });

  it('succeeds on the next try after one transient create error', async () => {
    state.recordDeployed('r1', M2);
    evaluator.createErrors = [new PlatformHttpError('evaluator.createJob', 503, 'Service Unavailable', '')];
    worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    expect(evaluator.created).toHaveLength(1);
  });

  it('creates a lost job again, and gives up with EVALUATION_JOB_LOST after jobAttempts jobs', async () => {
    state.recordDeployed('r1', M2);
    worker();
    for (const id of ['job-1', 'job-2', 'job-3']) {
      await until(`${id}`, () => evaluator.jobs.has(id));
      evaluator.jobs.delete(id); // the platform forgot it (a restarted local engine)
    }
    await until('failed', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    const [failed] = publisher.of<EvaluationFailedV1>(Topics.evaluationFailedV1);
    expect(failed?.error.code).toBe('EVALUATION_JOB_LOST');
    expect(publisher.of<{ job_id: string }>(Topics.evaluationStartedV1).map((e) => e.job_id)).toEqual([
      'job-1',
      'job-2',
      'job-3',
    ]);
  });

  it('cancels a job that stopped making progress and reports EVALUATION_STALLED', async () => {
    state.recordDeployed('r1', M2);
    worker({}, 50);
    await until('failed', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    const [failed] = publisher.of<EvaluationFailedV1>(Topics.evaluationFailedV1);
    expect(failed).toMatchObject({ job_id: 'job-1', error: { code: 'EVALUATION_STALLED', retryable: true } });
    expect(failed?.error.message).toContain(`base evaluation of ${M2} failed: fake.waitForCompletion failed: stalled`);
    expect(evaluator.cancelled).toEqual(['job-1']);
  });

  it('leaves a job that failed on the platform alone', async () => {
    state.recordDeployed('r1', M2);
    worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    evaluator.set('job-1', 'failed');
    await until('failed', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    expect(publisher.of<EvaluationFailedV1>(Topics.evaluationFailedV1)[0]?.error.code).toBe('EVALUATION_FAILED');
    expect(evaluator.cancelled).toEqual([]);
  });

  it('after a failed publish, publishes the same event again before marking the evaluation done', async () => {
    state.recordDeployed('r1', M2);
    worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    publisher.failures = 1;
    evaluator.set('job-1', 'succeeded', 100);
    await until('completed', () => publisher.of(Topics.evaluationCompletedV1).length === 1);
    expect(state.get({ runId: 'r1', modelName: M2, evalType: 'base' })?.status).toBe('completed');
    expect(evaluator.created).toHaveLength(1);
  });

  it('cancels a job whose creation was in flight when the cancel came', async () => {
    state.recordDeployed('r1', M2);
    let open = (): void => undefined;
    evaluator.createGate = new Promise((r) => (open = r));
    worker();
    await until('creating', () => state.get({ runId: 'r1', modelName: M2, evalType: 'base' })?.status === 'creating');
    state.stopRun('r1', 'cancelled');
    open();
    await until('cancelled', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    expect(evaluator.cancelled).toEqual(['job-1']);
    expect(publisher.of<EvaluationFailedV1>(Topics.evaluationFailedV1)[0]).toMatchObject({
      job_id: 'job-1',
      error: { code: 'CANCELLED', message: `base evaluation of ${M2} cancelled: run r1 cancelled` },
    });
  });

  it('keeps trying to cancel while the platform is unreachable, and reports the cancel only once it worked', async () => {
    state.recordDeployed('r1', M2);
    const w = worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    const down = new PlatformNetworkError('evaluator.cancelJob', new Error('ECONNRESET'));
    evaluator.cancelErrors = [down, down, down, down];
    state.stopRun('r1', 'cancelled');
    w.wake();
    await until('reported', () => publisher.of(Topics.evaluationFailedV1).length === 1);
    expect(evaluator.cancelled).toEqual(['job-1']);
    expect(evaluator.cancelErrors).toEqual([]);
    expect(evaluator.live()).toEqual([]);
  });

  it('a pending evaluation of a cancelled run ends without a job or an event', async () => {
    state.recordDeployed('r1', M1);
    state.stopRun('r1', 'cancelled');
    const w = worker();
    await until('cancelled', () => state.evaluationsOf('r1').every((e) => e.status === 'cancelled'));
    await w.idle();
    expect(evaluator.created).toEqual([]);
    expect(publisher.events).toEqual([]);
  });

  describe('passes (no timer pass: wakes alone drive the work)', () => {
    const NO_TIMER = { tickIntervalMs: 3_600_000 };

    it('many wakes at once share one pass, and every ready evaluation still starts', async () => {
      const w = worker(NO_TIMER);
      await w.idle();
      const passes = jest.spyOn(state, 'startable');
      state.recordDeployed('r1', M1);
      state.recordDeployed('r1', M2);
      for (let i = 0; i < 50; i += 1) w.wake();
      await until('three jobs', () => evaluator.created.length === 3);
      expect(passes).toHaveBeenCalledTimes(1);
      expect(evaluator.created.map((s) => s.dataset.name).sort()).toEqual(['eval-r1', 'eval-r1', 'icl-1']);
    });

    it('a finished task frees its slot for the next evaluation', async () => {
      state.recordDeployed('r1', M1);
      state.recordDeployed('r1', M2);
      worker({ ...NO_TIMER, maxConcurrentJobs: 1 });
      for (const [i, id] of ['job-1', 'job-2', 'job-3'].entries()) {
        await until(`${id} started`, () => publisher.of(Topics.evaluationStartedV1).length === i + 1);
        evaluator.set(id, 'succeeded', 100);
      }
      await until('three completed', () => publisher.of(Topics.evaluationCompletedV1).length === 3);
    });

    it('a task that threw is resumed when its backoff ends, its job polled again and not created again', async () => {
      state.recordDeployed('r1', M2);
      const w = worker(NO_TIMER);
      await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
      publisher.failures = 1; // the completed event: the task throws, the evaluation stays running with no task
      evaluator.set('job-1', 'succeeded', 100);
      await until('completed', () => publisher.of(Topics.evaluationCompletedV1).length === 1);
      await w.idle();
      expect(state.get({ runId: 'r1', modelName: M2, evalType: 'base' })?.status).toBe('completed');
      expect(evaluator.created).toHaveLength(1);
    });
  });

  it('stop() leaves the job running; a new worker resumes it without creating another', async () => {
    state.recordDeployed('r1', M2);
    const first = worker();
    await until('started', () => publisher.of(Topics.evaluationStartedV1).length === 1);
    await first.stop();
    expect(evaluator.live()).toEqual(['job-1']);
    worker();
    evaluator.set('job-1', 'succeeded', 100);
    await until('completed', () => publisher.of(Topics.evaluationCompletedV1).length === 1);
    expect(evaluator.created).toHaveLength(1);
    expect(publisher.of(Topics.evaluationStartedV1)).toHaveLength(1);
  });
});
