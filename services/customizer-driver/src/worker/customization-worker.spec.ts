// The worker's edge cases against a scripted Customizer and a bus that can refuse a publish: a lost completion event
// is published again (same id) once the bus is back; a cancel that arrives while the job is being created cancels
// the job once it exists; a creation interrupted by a restart (or timed out) re-attaches to the job it left instead
// of creating a second one, and a 409 that no job of ours explains fails clearly; losses reach the events.
import { Logger } from '@nestjs/common';
import { MemoryEventBus, type PayloadOf, type PublishOptions, type PublishReceipt, type TopicOf } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import {
  PlatformHttpError,
  PlatformTimeoutError,
  waitForJob,
  type CustomizationClient,
  type CustomizationConfigRef,
  type CustomizationJob,
  type CustomizationJobIdentity,
  type CustomizationJobSpec,
  type WaitOptions,
} from '@flywheel/platform-clients';
import { loadDriverConfig } from '../config/driver-config';
import { eventIdOf, type FlywheelCatalogue } from '../customization/events';
import { CustomizationStateStore } from '../state/customization-state-store';
import { CustomizationWorker } from './customization-worker';

const MODEL = 'meta/llama-3.2-1b-instruct';
const config = loadDriverConfig({
  CUSTOMIZER_WORKER_INTERVAL_MS: '20',
  CUSTOMIZER_PROGRESS_INTERVAL_MS: '0',
  CUSTOMIZER_RETRY_BACKOFF_BASE_MS: '1',
  CUSTOMIZER_RETRY_BACKOFF_MAX_MS: '5',
  PLATFORM_POLL_INTERVAL_MS: '5',
});

/** A Customizer whose jobs finish when the test says so; like NeMo, it refuses a second job for a live output model. */
class ScriptedCustomizer implements CustomizationClient {
  public readonly jobs = new Map<string, CustomizationJob>();
  public readonly cancelled: string[] = [];
  public createGate: Promise<void> = Promise.resolve();
  /** Answer every creation 409 (the output model exists, made by someone else). */
  public conflict = false;
  /** Create the job, then answer as if the call had timed out (the platform did the work). */
  public timeOutAfterCreating = false;
  public createCalls = 0;
  public findCalls = 0;

  public ensureConfig(): Promise<CustomizationConfigRef> {
    return Promise.resolve({ namespace: 'dfwbp', name: 'cfg' });
  }

  public static outputModelOf(identity: { readonly runId: string }): string {
    return `dfwbp/customized-${identity.runId}`;
  }

  public async createJob(spec: CustomizationJobSpec): Promise<CustomizationJob> {
    await this.createGate;
    this.createCalls++;
    const outputModel = ScriptedCustomizer.outputModelOf(spec);
    const live = [...this.jobs.values()].some(
      (j) => j.outputModel === outputModel && j.status !== 'failed' && j.status !== 'cancelled',
    );
    if (this.conflict || live) {
      throw new PlatformHttpError('customizer.createJob', 409, 'Conflict', 'output model exists');
    }
    const job = this.add(outputModel, 'running');
    if (this.timeOutAfterCreating) {
      this.timeOutAfterCreating = false;
      throw new PlatformTimeoutError('customizer.createJob', 30_000);
    }
    return job;
  }

  public findJob(identity: CustomizationJobIdentity): Promise<CustomizationJob | null> {
    this.findCalls++;
    const outputModel = ScriptedCustomizer.outputModelOf(identity);
    const matches = [...this.jobs.values()].filter((j) => j.outputModel === outputModel).reverse();
    const job = matches.find((j) => j.status !== 'failed' && j.status !== 'cancelled') ?? matches[0];
    return Promise.resolve(job ? { ...job } : null);
  }

  /** A job as the platform holds it (e.g. made by a creation whose caller died before recording it). */
  public add(outputModel: string, status: 'running' | 'failed'): CustomizationJob {
    const job: CustomizationJob = {
      id: `job-${this.jobs.size + 1}`,
      outputModel,
      status,
      rawStatus: status,
      progress: 10,
      message: null,
      error: status === 'failed' ? 'CUDA out of memory' : null,
      epochsCompleted: 0,
      stepsCompleted: 1,
      trainLoss: 1.9,
      valLoss: null,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  public getJob(jobId: string): Promise<CustomizationJob> {
    const job = this.jobs.get(jobId);
    return job ? Promise.resolve({ ...job }) : Promise.reject(new Error(`no job ${jobId}`));
  }

  public cancelJob(jobId: string): Promise<void> {
    this.cancelled.push(jobId);
    this.finish(jobId, 'cancelled');
    return Promise.resolve();
  }

  public waitForCompletion(jobId: string, options?: WaitOptions<CustomizationJob>): Promise<CustomizationJob> {
    return waitForJob('customizer.waitForCompletion', () => this.getJob(jobId), options);
  }

  public deleteModel(): Promise<void> {
    return Promise.resolve();
  }

  public deleteConfig(): Promise<void> {
    return Promise.resolve();
  }

  public finish(jobId: string, status: 'succeeded' | 'cancelled'): void {
    const job = this.jobs.get(jobId);
    if (job) {
      this.jobs.set(jobId, {
        ...job,
        status,
        rawStatus: status === 'succeeded' ? 'completed' : 'cancelled',
        progress: 100,
        epochsCompleted: 2,
        stepsCompleted: 8,
        trainLoss: 0.42,
        valLoss: 0.51,
      });
    }
  }
}

/** The in-memory bus, refusing publishes to the topics in `down`. */
class FlakyBus extends MemoryEventBus<FlywheelCatalogue> {
  public readonly down = new Set<string>();

  public override publish<T extends TopicOf<FlywheelCatalogue>>(
    topic: T,
    payload: PayloadOf<FlywheelCatalogue, T>,
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    if (this.down.has(topic)) return Promise.reject(new Error('broker unreachable'));
    return super.publish(topic, payload, options);
  }
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('CustomizationWorker', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['error', 'warn', 'log']);
  });

  let state: CustomizationStateStore;
  let customizer: ScriptedCustomizer;
  let bus: FlakyBus;
  let worker: CustomizationWorker;
  const key = { runId: 'r1', modelName: MODEL };

  beforeEach(() => {
    state = new CustomizationStateStore(':memory:');
    customizer = new ScriptedCustomizer();
    bus = new FlakyBus(catalogue);
    worker = new CustomizationWorker(
      { state, customization: customizer, publisher: bus },
      {
        worker: config.worker,
        wait: config.wait,
        namespace: 'dfwbp',
        training: config.training,
        models: config.models,
      },
    );
    state.recordRequest({ runId: 'r1', workloadId: 'wl', training: null, lora: null, models: [MODEL] });
    state.recordDatasets('r1', { name: 'flywheel-train-r1', recordCount: 40 });
  });

  afterEach(async () => {
    await worker.stop();
    state.close();
  });

  it('publishes a completion the bus refused once it is back, with the same id, and completes once', async () => {
    bus.down.add(Topics.customizationCompletedV1);
    worker.start();
    await waitFor('the job', () => state.get(key)?.status === 'running');
    customizer.finish('job-1', 'succeeded');
    await new Promise((r) => setTimeout(r, 100)); // several ticks with the bus refusing
    expect(state.get(key)?.status).toBe('running');
    bus.down.clear();
    await waitFor('completed', () => state.get(key)?.status === 'completed');
    const completed = bus.publishedTo(Topics.customizationCompletedV1);
    expect(completed).toHaveLength(1);
    expect(completed[0]?.event_id).toBe(eventIdOf('r1', 'customization.completed', MODEL));
    expect(customizer.jobs.size).toBe(1);
  });

  it('cancels a job that was being created when the cancel arrived, once it exists', async () => {
    let open: () => void = () => undefined;
    customizer.createGate = new Promise((r) => (open = r));
    worker.start();
    await waitFor('creating', () => state.get(key)?.status === 'creating');
    state.stopRun('r1', 'run cancel requested by alice');
    worker.wake();
    await new Promise((r) => setTimeout(r, 50));
    expect(bus.publishedTo(Topics.customizationFailedV1)).toEqual([]); // waits for the job id
    open();
    await waitFor('cancelled', () => state.get(key)?.status === 'cancelled');
    expect(customizer.cancelled).toEqual(['job-1']);
    const [failed] = bus.publishedTo(Topics.customizationFailedV1);
    expect(failed).toMatchObject({ job_id: 'job-1', error: { code: 'CANCELLED' } });
    expect(failed?.error.message).toContain('run cancel requested by alice');
    expect(bus.publishedTo(Topics.customizationCompletedV1)).toEqual([]);
  });

  it('re-attaches to the job a creation interrupted by a restart left, without creating another', async () => {
    state.move(key, 'creating', 1); // as a killed process left it
    const orphan = customizer.add(ScriptedCustomizer.outputModelOf(key), 'running');
    worker.start();
    await waitFor('running', () => state.get(key)?.status === 'running');
    expect(state.get(key)).toMatchObject({ jobId: orphan.id, outputModel: orphan.outputModel });
    expect(customizer.createCalls).toBe(0);
    customizer.finish(orphan.id, 'succeeded');
    await waitFor('completed', () => state.get(key)?.status === 'completed');
    expect(customizer.jobs.size).toBe(1);
    expect(bus.publishedTo(Topics.customizationStartedV1)).toEqual([expect.objectContaining({ job_id: orphan.id })]);
    expect(bus.publishedTo(Topics.customizationCompletedV1)).toEqual([
      expect.objectContaining({ job_id: orphan.id, customized_model_name: orphan.outputModel }),
    ]);
    expect(bus.publishedTo(Topics.customizationFailedV1)).toEqual([]);
  });

  it('answers a 409 on creation by re-attaching to the job of this run that holds the output model', async () => {
    const orphan = customizer.add(ScriptedCustomizer.outputModelOf(key), 'running'); // state file knows nothing
    worker.start();
    await waitFor('running', () => state.get(key)?.status === 'running');
    expect(customizer.createCalls).toBe(1); // refused with 409, then looked up
    expect(state.get(key)?.jobId).toBe(orphan.id);
    expect(customizer.jobs.size).toBe(1);
  });

  it('after a creation that timed out (the platform made the job), the retry finds that job', async () => {
    customizer.timeOutAfterCreating = true;
    worker.start();
    await waitFor('running', () => state.get(key)?.status === 'running');
    expect(customizer.jobs.size).toBe(1);
    expect(state.get(key)?.jobId).toBe('job-1');
    expect(customizer.createCalls).toBe(1); // the lookup found it: no second create, no 409
  });

  it('creates a new job when the interrupted creation left only a failed one', async () => {
    state.move(key, 'creating', 1);
    customizer.add(ScriptedCustomizer.outputModelOf(key), 'failed');
    worker.start();
    await waitFor('running', () => state.get(key)?.status === 'running');
    expect(state.get(key)?.jobId).toBe('job-2');
    expect(customizer.createCalls).toBe(1);
  });

  it('fails as OUTPUT_MODEL_EXISTS when a 409 is not explained by a job of this run', async () => {
    state.move(key, 'creating', 1); // as a killed process left it
    customizer.conflict = true;
    worker.start();
    await waitFor('failed', () => state.get(key)?.status === 'failed');
    expect(customizer.findCalls).toBeGreaterThanOrEqual(1);
    const [failed] = bus.publishedTo(Topics.customizationFailedV1);
    expect(failed).toMatchObject({ job_id: null, error: { code: 'OUTPUT_MODEL_EXISTS', retryable: false } });
    expect(failed?.error.message).toContain(MODEL);
  });

  it('cancels the job an interrupted creation left when the run is cancelled before it is found', async () => {
    state.move(key, 'creating', 1);
    const orphan = customizer.add(ScriptedCustomizer.outputModelOf(key), 'running');
    state.stopRun('r1', 'run cancel requested by alice');
    worker.start();
    await waitFor('cancelled', () => state.get(key)?.status === 'cancelled');
    expect(customizer.cancelled).toEqual([orphan.id]);
    expect(bus.publishedTo(Topics.customizationFailedV1)).toEqual([
      expect.objectContaining({ job_id: orphan.id, error: expect.objectContaining({ code: 'CANCELLED' }) as unknown }),
    ]);
  });

  it('puts the reported losses in progress and completed events', async () => {
    worker.start();
    await waitFor('progress', () => bus.publishedTo(Topics.customizationProgressV1).length > 0);
    expect(bus.publishedTo(Topics.customizationProgressV1)[0]).toMatchObject({ train_loss: 1.9, val_loss: null });
    customizer.finish('job-1', 'succeeded');
    await waitFor('completed', () => state.get(key)?.status === 'completed');
    expect(bus.publishedTo(Topics.customizationCompletedV1)[0]).toMatchObject({
      final_train_loss: 0.42,
      final_val_loss: 0.51,
    });
  });
});
