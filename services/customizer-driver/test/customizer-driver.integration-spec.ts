// The driver as a Nest app on the in-memory bus against the in-process platform simulator: a run request and its
// datasets in either order → a LoRA job on the simulator, started / progress / completed with the model the simulator
// then serves; cancel mid-training; a restart mid-training that re-attaches to the same job; platform failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import { catalogue, deterministicEventId, Topics } from '@flywheel/contracts';
import { type CustomizationClient } from '@flywheel/platform-clients';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { loadDriverConfig } from '../src/config/driver-config';
import { CustomizerDriverModule, SUBSCRIPTIONS, type DriverOverrides } from '../src/customizer-driver.module';
import { type FlywheelCatalogue } from '../src/customization/events';
import {
  cancelRequested,
  datasetsBuilt,
  fastEnv,
  MEDIUM,
  platformAt,
  runRequested,
  SMALL,
  startSim,
  uploadTrainDataset,
  waitFor,
  type Sim,
} from './driver-fixtures';

interface Booted {
  readonly app: INestApplication;
  readonly bus: MemoryEventBus<FlywheelCatalogue>;
}

let dir: string;
let sim: Sim;
const apps: INestApplication[] = [];

async function boot(
  env: Record<string, string> = {},
  overrides: Omit<DriverOverrides, 'bus'> & { customization?: CustomizationClient } = {},
): Promise<Booted> {
  const config = loadDriverConfig(fastEnv(join(dir, 'state.db'), env));
  const moduleRef = await Test.createTestingModule({
    imports: [
      CustomizerDriverModule.forRoot(config, {
        bus: BusModule.forTesting(catalogue, { groupId: config.groupId, subscriptions: [...SUBSCRIPTIONS] }),
        customization: overrides.customization ?? sim.platform.customization,
        defaultMetrics: false,
        ...overrides,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return { app, bus: app.get(MemoryEventBus) };
}

async function start(runId: string, b: Booted, order: 'request-first' | 'datasets-first' = 'request-first') {
  await uploadTrainDataset(sim.platform, runId);
  if (order === 'request-first') {
    await b.bus.publish(Topics.runRequestedV1, runRequested(runId));
    await b.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt(runId));
  } else {
    await b.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt(runId));
    await b.bus.publish(Topics.runRequestedV1, runRequested(runId));
  }
  await b.bus.drain();
}

const jobsOnSim = () => [...sim.sim.state.customizationJobs.values()];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'customizer-driver-'));
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await sim.sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('customizer-driver on the in-memory bus and the platform simulator', () => {
  it('request then datasets: started, progress, completed with the customized model the simulator then serves', async () => {
    sim = await startSim({ delays: { customizationStepMs: 30 } });
    const b = await boot();
    await start('run-a', b);
    await waitFor('customization.completed', () => b.bus.publishedTo(Topics.customizationCompletedV1).length === 1);

    const [started] = b.bus.publishedTo(Topics.customizationStartedV1);
    const [completed] = b.bus.publishedTo(Topics.customizationCompletedV1);
    const progress = b.bus.publishedTo(Topics.customizationProgressV1);
    expect(started).toMatchObject({
      model_name: SMALL,
      train_dataset: 'flywheel-train-run-a',
      training: {
        training_type: 'sft',
        finetuning_type: 'lora',
        epochs: 2,
        batch_size: 16,
        learning_rate: 0.0001,
        adapter_dim: 32,
        adapter_dropout: 0.1,
      },
    });
    // Unique per run (blueprint bug §10.25): the run id is part of the output model's name.
    expect(started?.output_model_name).toMatch(/^dfwbp\/customized-.*run-a/);
    expect(progress.length).toBeGreaterThan(0);
    expect(new Set(progress.map((p) => p.event_id)).size).toBe(progress.length);
    expect(completed).toMatchObject({
      model_name: SMALL,
      job_id: started?.job_id,
      customized_model_name: started?.output_model_name,
      epochs_completed: 2,
      steps_completed: 6, // 2 epochs × ⌈48 records / batch 16⌉
    });
    // Only the customization-enabled candidate was customized, once.
    expect(jobsOnSim().map((j) => j.baseModel)).toEqual([SMALL]);
    expect(b.bus.publishedTo(Topics.customizationFailedV1)).toEqual([]);

    // The simulator serves the adapter once its base model is deployed.
    await sim.platform.deployments.deploy({ model: SMALL });
    await sim.platform.deployments.waitUntilReady(SMALL, { pollIntervalMs: 10, timeoutMs: 10_000 });
    expect(await sim.platform.deployments.listServedModels()).toContain(completed?.customized_model_name);

    // A redelivered request changes nothing: no second job, no new event.
    const before = b.bus.published.length;
    await b.bus.publish(Topics.runRequestedV1, runRequested('run-a'));
    await b.bus.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect(jobsOnSim()).toHaveLength(1);
    expect(b.bus.published.length).toBe(before + 1);
    expect(b.bus.deadLetters).toEqual([]);
  });

  it('datasets before the request, with the run overrides merged over the service settings', async () => {
    sim = await startSim();
    const b = await boot({ CUSTOMIZER_TRAINING_CONFIG: '{"learning_rate": 0.0002}' });
    await uploadTrainDataset(sim.platform, 'run-b');
    await b.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-b'));
    await b.bus.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(jobsOnSim()).toEqual([]); // nothing without the request
    await b.bus.publish(
      Topics.runRequestedV1,
      runRequested('run-b', {
        training: { training_type: null, finetuning_type: null, epochs: 1, batch_size: 8, learning_rate: null },
        lora: { adapter_dim: 16, adapter_dropout: null },
      }),
    );
    await waitFor('customization.completed', () => b.bus.publishedTo(Topics.customizationCompletedV1).length === 1);
    expect(b.bus.publishedTo(Topics.customizationStartedV1)[0]?.training).toEqual({
      training_type: 'sft',
      finetuning_type: 'lora',
      epochs: 1,
      batch_size: 8,
      learning_rate: 0.0002,
      adapter_dim: 16,
      adapter_dropout: 0.1,
    });
    expect(jobsOnSim()[0]?.hyperparameters).toMatchObject({
      epochs: 1,
      batch_size: 8,
      learning_rate: 0.0002,
      lora: { adapter_dim: 16, adapter_dropout: 0.1 },
    });
    expect(b.bus.publishedTo(Topics.customizationCompletedV1)[0]?.steps_completed).toBe(6); // 1 × ⌈48 / 8⌉
  });

  it('cancel mid-training cancels the simulator job and reports CANCELLED', async () => {
    sim = await startSim({ delays: { customizationStepMs: 250 } });
    const b = await boot();
    await start('run-c', b);
    await waitFor('training under way', () =>
      b.bus.publishedTo(Topics.customizationProgressV1).some((p) => p.step >= 1),
    );
    await b.bus.publish(Topics.runCancelRequestedV1, cancelRequested('run-c'));
    await waitFor('customization.failed', () => b.bus.publishedTo(Topics.customizationFailedV1).length === 1);

    const [failed] = b.bus.publishedTo(Topics.customizationFailedV1);
    expect(failed?.error.code).toBe('CANCELLED');
    expect(failed?.error.message).toContain(SMALL);
    expect(failed?.error.message).toContain('run cancel requested by alice: changed my mind');
    expect(failed?.job_id).toBe(b.bus.publishedTo(Topics.customizationStartedV1)[0]?.job_id);
    expect(jobsOnSim().map((j) => j.status)).toEqual(['cancelled']);

    // Nothing more for this run: no completion later, and a repeated cancel is a no-op.
    await b.bus.publish(Topics.runCancelledV1, {
      ...cancelRequested('run-c'),
      event_id: deterministicEventId('5b0f3c2e-4a7d-4c55-9a43-2f1f6f0b1c11', 'run-c', 'cancelled'),
      stage: 'customization',
    });
    await b.bus.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(b.bus.publishedTo(Topics.customizationCompletedV1)).toEqual([]);
    expect(b.bus.publishedTo(Topics.customizationFailedV1)).toHaveLength(1);
  });

  it('a restart mid-training resumes polling the same job from the state file', async () => {
    sim = await startSim({ delays: { customizationStepMs: 200 } });
    const first = await boot();
    await uploadTrainDataset(sim.platform, 'run-d');
    // Small batches: 2 × ⌈48 / 4⌉ = 24 steps, long enough to stop the first process in the middle.
    await first.bus.publish(
      Topics.runRequestedV1,
      runRequested('run-d', {
        training: { training_type: null, finetuning_type: null, epochs: null, batch_size: 4, learning_rate: null },
      }),
    );
    await first.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-d'));
    await waitFor('training under way', () =>
      first.bus.publishedTo(Topics.customizationProgressV1).some((p) => p.step >= 1),
    );
    const [started] = first.bus.publishedTo(Topics.customizationStartedV1);
    const firstProgress = first.bus.publishedTo(Topics.customizationProgressV1);
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    expect(jobsOnSim()[0]?.status).toBe('running');

    // A new process over the same state file and a fresh platform client; no event is redelivered.
    const second = await boot({}, { customization: platformAt(sim.sim.url).customization });
    await waitFor(
      'customization.completed',
      () => second.bus.publishedTo(Topics.customizationCompletedV1).length === 1,
    );
    const [completed] = second.bus.publishedTo(Topics.customizationCompletedV1);
    expect(jobsOnSim()).toHaveLength(1);
    expect(completed?.job_id).toBe(started?.job_id);
    expect(completed?.customized_model_name).toBe(started?.output_model_name);
    expect(completed?.steps_completed).toBe(24);
    // started was already published: not repeated; progress numbering continues (no id reused).
    expect(second.bus.publishedTo(Topics.customizationStartedV1)).toEqual([]);
    const ids = [...firstProgress, ...second.bus.publishedTo(Topics.customizationProgressV1)].map((p) => p.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a job that fails on the platform → customization.failed naming the model and the cause', async () => {
    sim = await startSim({ delays: { customizationStepMs: 20 } });
    sim.sim.faults.addJobFault({ target: 'customization', mode: 'fail', message: 'CUDA out of memory at step 3' });
    const b = await boot();
    await start('run-e', b, 'datasets-first');
    await waitFor('customization.failed', () => b.bus.publishedTo(Topics.customizationFailedV1).length === 1);
    const [failed] = b.bus.publishedTo(Topics.customizationFailedV1);
    expect(failed?.error).toMatchObject({ code: 'CUSTOMIZATION_FAILED', retryable: true });
    expect(failed?.error.message).toContain(SMALL);
    expect(failed?.error.message).toContain('CUDA out of memory at step 3');
    expect(failed?.job_id).not.toBeNull();
    expect(b.bus.publishedTo(Topics.customizationCompletedV1)).toEqual([]);
  });

  it('a Customizer that keeps answering 503 → PLATFORM_UNAVAILABLE after the configured attempts, no job', async () => {
    sim = await startSim();
    sim.sim.faults.add({
      method: 'POST',
      path: '/v1/customization/jobs',
      times: 100,
      action: { kind: 'http-error', status: 503 },
    });
    const b = await boot({ CUSTOMIZER_MAX_ATTEMPTS: '2' });
    await start('run-f', b);
    await waitFor('customization.failed', () => b.bus.publishedTo(Topics.customizationFailedV1).length === 1);
    const [failed] = b.bus.publishedTo(Topics.customizationFailedV1);
    expect(failed?.error.code).toBe('PLATFORM_UNAVAILABLE');
    expect(failed?.error.message).toMatch(
      /customization of meta\/llama-3\.2-1b-instruct could not reach the Customizer: .*503/,
    );
    expect(failed?.job_id).toBeNull();
    expect(jobsOnSim()).toEqual([]);
  });

  it('no training dataset while customization is enabled → failed with the reason, no job', async () => {
    sim = await startSim();
    const b = await boot();
    await b.bus.publish(Topics.runRequestedV1, runRequested('run-g'));
    await b.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-g', false));
    await waitFor('customization.failed', () => b.bus.publishedTo(Topics.customizationFailedV1).length === 1);
    const [failed] = b.bus.publishedTo(Topics.customizationFailedV1);
    expect(failed?.error).toMatchObject({ code: 'NO_TRAIN_DATASET', retryable: false });
    expect(failed?.error.message).toContain('no training dataset');
    expect(jobsOnSim()).toEqual([]);
  });

  it('candidate.finished while the job is still pending cancels it', async () => {
    sim = await startSim();
    sim.sim.faults.addJobFault({ target: 'customization', mode: 'stall' });
    const b = await boot();
    await start('run-h', b);
    await waitFor('customization.started', () => b.bus.publishedTo(Topics.customizationStartedV1).length === 1);
    await b.bus.publish(Topics.candidateFinishedV1, {
      event_id: deterministicEventId('5b0f3c2e-4a7d-4c55-9a43-2f1f6f0b1c11', 'run-h', 'finished'),
      run_id: 'run-h',
      occurred_at: Date.now(),
      model_name: SMALL,
      status: 'failed',
      error: { code: 'DEPLOYMENT_FAILED', message: 'NIM crashed', retryable: true },
    });
    await waitFor('customization.failed', () => b.bus.publishedTo(Topics.customizationFailedV1).length === 1);
    expect(b.bus.publishedTo(Topics.customizationFailedV1)[0]?.error.code).toBe('CANCELLED');
    expect(b.bus.publishedTo(Topics.customizationFailedV1)[0]?.error.message).toContain('NIM crashed');
    expect(jobsOnSim().map((j) => j.status)).toEqual(['cancelled']);
  });

  it('run.deleted after completion deletes the customized model', async () => {
    sim = await startSim();
    const b = await boot();
    await start('run-i', b);
    await waitFor('customization.completed', () => b.bus.publishedTo(Topics.customizationCompletedV1).length === 1);
    const model = b.bus.publishedTo(Topics.customizationCompletedV1)[0]?.customized_model_name ?? '';
    expect(sim.sim.state.models.has(model)).toBe(true);
    await b.bus.publish(Topics.runDeletedV1, {
      event_id: deterministicEventId('5b0f3c2e-4a7d-4c55-9a43-2f1f6f0b1c11', 'run-i', 'deleted'),
      run_id: 'run-i',
      occurred_at: Date.now(),
      deleted_by: 'alice',
    });
    await waitFor('the customized model gone', () => !sim.sim.state.models.has(model));
    expect(b.bus.publishedTo(Topics.customizationFailedV1)).toEqual([]);
  });

  it('runs at most CUSTOMIZER_MAX_CONCURRENT_JOBS jobs at once; the others wait their turn', async () => {
    sim = await startSim({ delays: { customizationStepMs: 30 } });
    const b = await boot({ CUSTOMIZER_MAX_CONCURRENT_JOBS: '1' });
    await uploadTrainDataset(sim.platform, 'run-j1');
    await uploadTrainDataset(sim.platform, 'run-j2');
    const both = [
      { model_name: SMALL, context_length: 8192, icl_enabled: false, customization_enabled: true },
      { model_name: MEDIUM, context_length: 8192, icl_enabled: false, customization_enabled: true },
    ];
    await b.bus.publish(Topics.runRequestedV1, runRequested('run-j1', { candidates: both }));
    await b.bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-j1'));
    await waitFor('two completions', () => b.bus.publishedTo(Topics.customizationCompletedV1).length === 2, 45_000);
    const jobs = jobsOnSim().sort((x, y) => x.createdAt - y.createdAt);
    expect(jobs).toHaveLength(2);
    // The second job was created only after the first had finished its steps.
    const first = jobs[0];
    const second = jobs[1];
    expect(
      first && second && second.createdAt >= (first.startedAt ?? 0) + first.epochs * first.stepsPerEpoch * 30,
    ).toBe(true);
  });

  it('serves health and metrics over HTTP', async () => {
    sim = await startSim();
    const config = loadDriverConfig(fastEnv(join(dir, 'state.db'), { NEMO_BASE_URL: sim.sim.url }));
    let service: HttpService | undefined;
    try {
      service = await startHttpService(
        CustomizerDriverModule.forRoot(config, {
          bus: BusModule.forTesting(catalogue, { groupId: config.groupId, subscriptions: [...SUBSCRIPTIONS] }),
          defaultMetrics: false,
        }),
        { name: 'customizer-driver', host: '127.0.0.1', port: 0, logLevels: ['error'] },
      );
      const ready = await fetch(`${service.url}/health/ready`);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      expect(ready.status).toBe(200);
      expect(Object.keys(body.checks).sort()).toEqual(['customizer', 'state', 'worker']);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('flywheel_customizations_total');
    } finally {
      await service?.close();
    }
  });
});
