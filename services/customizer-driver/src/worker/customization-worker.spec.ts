// The worker's edge cases against a scripted Customizer and a bus that can refuse a publish: a lost completion event
// is published again (same id) once the bus is back; a cancel that arrives while the job is being created cancels
// the job once it exists; a creation interrupted by a restart that the Customizer answers with 409 fails clearly.
import { Logger } from '@nestjs/common';
import { MemoryEventBus, type PayloadOf, type PublishOptions, type PublishReceipt, type TopicOf } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import {
  PlatformHttpError,
  waitForJob,
  type CustomizationClient,
  type CustomizationConfigRef,
  type CustomizationJob,
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

/** A Customizer whose jobs finish when the test says so. */
class ScriptedCustomizer implements CustomizationClient {
  public readonly jobs = new Map<string, CustomizationJob>();
  public readonly cancelled: string[] = [];
  public createGate: Promise<void> = Promise.resolve();
  public conflict = false;

  public ensureConfig(): Promise<CustomizationConfigRef> {
    return Promise.resolve({ namespace: 'dfwbp', name: 'cfg' });
  }

  public async createJob(spec: CustomizationJobSpec): Promise<CustomizationJob> {
    await this.createGate;
    if (this.conflict) throw new PlatformHttpError('customizer.createJob', 409, 'Conflict', 'output model exists');
    const job: CustomizationJob = {
      id: `job-${this.jobs.size + 1}`,
      outputModel: `dfwbp/customized-${spec.runId}`,
      status: 'running',
      rawStatus: 'running',
      progress: 10,
      message: null,
      error: null,
      epochsCompleted: 0,
      stepsCompleted: 1,
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

  it('retries a creation a restart interrupted; a 409 then fails it as OUTPUT_MODEL_EXISTS', async () => {
    state.move(key, 'creating', 1); // as a killed process left it
    customizer.conflict = true;
    worker.start();
    await waitFor('failed', () => state.get(key)?.status === 'failed');
    const [failed] = bus.publishedTo(Topics.customizationFailedV1);
    expect(failed).toMatchObject({ job_id: null, error: { code: 'OUTPUT_MODEL_EXISTS', retryable: false } });
    expect(failed?.error.message).toContain(MODEL);
  });
});
