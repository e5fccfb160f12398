// The driver as a Nest app on the in-memory bus against the in-process platform simulator (NeMo adapters): events in
// any order → base, ICL and customized evaluations with tool-calling scores; cancel mid-evaluation; a restart
// mid-evaluation that resumes the same job; a job that fails on the platform; the local engine's lost jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics, type EvaluationCompletedV1 } from '@flywheel/contracts';
import { createOpenAICompatiblePlatform, FileDatasetStore, type Platform } from '@flywheel/platform-clients';
import {
  startPlatformSimulator,
  type PlatformSimulator,
  type SimulatorOptionsInput,
} from '@flywheel/platform-simulator';
import { loadEvaluatorConfig, type EvaluatorConfig } from '../src/config/evaluator-config';
import { type FlywheelCatalogue } from '../src/evaluation/evaluation-worker';
import { EvaluatorDriverModule, SUBSCRIPTIONS, type EvaluatorOverrides } from '../src/evaluator-driver.module';
import { EvaluationStateStore } from '../src/state/evaluation-state-store';
import {
  cancelRequested,
  candidateDeployed,
  candidateFinished,
  CHAT_LOGS,
  customizationCompleted,
  customize,
  datasetsBuilt,
  deploy,
  M1,
  M3,
  nemoPlatform,
  runDeleted,
  TEACHER,
  uploadDatasets,
  waitFor,
} from './evaluator-fixtures';

type Bus = MemoryEventBus<FlywheelCatalogue>;

let dir: string;
let sim: PlatformSimulator | undefined;
let apps: INestApplication[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evaluator-driver-'));
});

afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startSim(options: SimulatorOptionsInput = {}): Promise<{ sim: PlatformSimulator; platform: Platform }> {
  sim = await startPlatformSimulator({ delays: { evaluationSampleMs: 2 }, ...options });
  return { sim, platform: nemoPlatform(sim.url) };
}

function config(url: string, extra: Record<string, string> = {}): EvaluatorConfig {
  return loadEvaluatorConfig({
    NEMO_BASE_URL: url,
    PLATFORM_POLL_INTERVAL_MS: '10',
    EVALUATOR_TICK_INTERVAL_MS: '20',
    EVALUATOR_PROGRESS_INTERVAL_MS: '0',
    EVALUATOR_RETRY_BACKOFF_BASE_MS: '10',
    EVALUATOR_RETRY_BACKOFF_MAX_MS: '50',
    EVALUATOR_STATE_PATH: join(dir, 'state.db'),
    ...extra,
  });
}

async function boot(c: EvaluatorConfig, overrides: Omit<EvaluatorOverrides, 'bus'> = {}): Promise<Bus> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EvaluatorDriverModule.forRoot(c, {
        bus: BusModule.forTesting(catalogue, {
          groupId: c.groupId,
          subscriptions: [...SUBSCRIPTIONS],
          retry: { maxAttempts: 2, backoffBaseMs: 0, backoffMaxMs: 0 },
        }),
        defaultMetrics: false,
        ...overrides,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return app.get(MemoryEventBus);
}

async function close(app: INestApplication | undefined): Promise<void> {
  await app?.close();
  apps = apps.filter((a) => a !== app);
}

function completedOf(bus: Bus, runId: string): EvaluationCompletedV1[] {
  return bus.publishedTo(Topics.evaluationCompletedV1).filter((e) => e.run_id === runId);
}

function topicsOf(bus: Bus, runId: string, evalType: string): string[] {
  return bus.published
    .filter((p) => p.topic.startsWith('flywheel.evaluation.'))
    .filter((p) => {
      const e = p.payload as { run_id: string; eval_type: string };
      return e.run_id === runId && e.eval_type === evalType;
    })
    .map((p) => p.topic.replace('flywheel.evaluation.', '').replace('.v1', ''));
}

describe('evaluator-driver (Nest app, in-memory bus, platform simulator)', () => {
  it('runs base and ICL evaluations with tool-calling scores, whichever of datasets.built and candidate.deployed comes first', async () => {
    // 20 ms a sample: a 20-record job runs ~0.4 s, so polls see it running and progress is reported.
    const { sim, platform } = await startSim({ delays: { evaluationSampleMs: 20 } });
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-a');
    await uploadDatasets(platform.datasets, 'run-b');
    const bus = await boot(config(sim.url));

    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-a'));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-a', M1));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-b', M1));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-b'));
    await bus.drain();
    await waitFor('four evaluations', () => bus.publishedTo(Topics.evaluationCompletedV1).length === 4);

    for (const runId of ['run-a', 'run-b']) {
      const completed = completedOf(bus, runId);
      expect(completed.map((e) => e.eval_type).sort()).toEqual(['base', 'icl']);
      for (const e of completed) {
        expect(e).toMatchObject({ model_name: M1, target_model: M1, sample_count: 20, failed_sample_count: 0 });
        expect(Object.keys(e.scores).sort()).toEqual([
          'function_name_accuracy',
          'function_name_and_args_accuracy',
          'tool_calling_correctness',
        ]);
        expect(e.scores.function_name_and_args_accuracy).toBeGreaterThanOrEqual(0);
        expect(e.scores.function_name_and_args_accuracy).toBeLessThanOrEqual(1);
      }
      const seq = topicsOf(bus, runId, 'base');
      expect(seq[0]).toBe('started');
      expect(seq.at(-1)).toBe('completed');
      expect(seq.filter((t) => t === 'progress').length).toBeGreaterThan(0);
    }
    const started = bus.publishedTo(Topics.evaluationStartedV1).filter((e) => e.run_id === 'run-a');
    expect(started.find((e) => e.eval_type === 'icl')?.dataset_name).toBe('flywheel-icl-run-a-llama-3.2-1b-instruct');
    expect(started.find((e) => e.eval_type === 'base')?.dataset_name).toBe('flywheel-eval-run-a');
    // Four jobs on the platform, one per evaluation.
    expect(sim.state.evaluationJobs.size).toBe(4);

    // A redelivered event changes nothing.
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-a', M1));
    await bus.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.state.evaluationJobs.size).toBe(4);
    expect(bus.deadLetters).toEqual([]);
  });

  it('evaluates a generic (chat) workload with the judge’s similarity', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-g', [], CHAT_LOGS);
    const bus = await boot(config(sim.url));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-g', [], 'generic'));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-g', M1));
    await bus.drain();
    await waitFor('evaluation.completed', () => completedOf(bus, 'run-g').length === 1);
    const [completed] = completedOf(bus, 'run-g');
    expect(Object.keys(completed?.scores ?? {})).toEqual(['similarity']);
    expect(completed?.scores.similarity).toBeGreaterThanOrEqual(1);
    expect(completed?.scores.similarity).toBeLessThanOrEqual(10);
    expect(bus.publishedTo(Topics.evaluationStartedV1)[0]?.workload_type).toBe('generic');
  });

  it('evaluates the customized model after customization.completed (a real simulator LoRA job)', async () => {
    const { sim, platform } = await startSim({ delays: { evaluationSampleMs: 0, customizationStepMs: 0 } });
    await deploy(platform, M3);
    await uploadDatasets(platform.datasets, 'run-c', []);
    const customized = await customize(platform, 'run-c', M3);
    const bus = await boot(config(sim.url));

    await bus.publish(Topics.customizationCompletedV1, customizationCompleted('run-c', M3, customized));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-c', M3));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-c', []));
    await bus.drain();
    await waitFor('base and customized', () => completedOf(bus, 'run-c').length === 2);

    const byType = new Map(completedOf(bus, 'run-c').map((e) => [e.eval_type, e]));
    expect([...byType.keys()].sort()).toEqual(['base', 'customized']);
    expect(byType.get('customized')).toMatchObject({ model_name: M3, target_model: customized, sample_count: 20 });
    const jobModels = [...sim.state.evaluationJobs.values()].map((j) => j.model).sort();
    expect(jobModels).toEqual([customized, M3].sort());
  });

  it('cancels a running evaluation: the platform job is cancelled, evaluation.failed says CANCELLED, nothing new starts', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-x', []);
    sim.faults.addJobFault({ target: 'evaluation', match: M1, mode: 'stall' });
    const bus = await boot(config(sim.url));

    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-x', []));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-x', M1));
    await bus.drain();
    await waitFor('evaluation.started', () => bus.publishedTo(Topics.evaluationStartedV1).length === 1);
    const jobId = bus.publishedTo(Topics.evaluationStartedV1)[0]?.job_id ?? '';

    await bus.publish(Topics.runCancelRequestedV1, cancelRequested('run-x'));
    await bus.drain();
    await waitFor('evaluation.failed', () => bus.publishedTo(Topics.evaluationFailedV1).length === 1);
    const [failed] = bus.publishedTo(Topics.evaluationFailedV1);
    expect(failed).toMatchObject({ run_id: 'run-x', model_name: M1, eval_type: 'base', job_id: jobId });
    expect(failed?.error.code).toBe('CANCELLED');
    expect(failed?.error.message).toContain(`base evaluation of ${M1} cancelled: run run-x cancelled`);
    expect(sim.state.evaluationJobs.get(jobId)?.status).toBe('cancelled');

    // A late customization result of the cancelled run starts nothing.
    await bus.publish(Topics.customizationCompletedV1, customizationCompleted('run-x', M1, 'dfwbp/customized-x'));
    await bus.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.state.evaluationJobs.size).toBe(1);
    expect(bus.publishedTo(Topics.evaluationStartedV1)).toHaveLength(1);
  });

  it('run.failed stops the run’s evaluations with CANCELLED; a repeated stop publishes nothing more', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-y', []);
    sim.faults.addJobFault({ target: 'evaluation', match: M1, mode: 'stall' });
    const bus = await boot(config(sim.url));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-y', []));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-y', M1));
    await bus.drain();
    await waitFor('evaluation.started', () => bus.publishedTo(Topics.evaluationStartedV1).length === 1);

    const runFailed = {
      event_id: '0b9d4a43-6a35-4c1e-9f44-2b0c8a3e5f10',
      run_id: 'run-y',
      occurred_at: Date.UTC(2026, 1, 1),
      stage: 'customization' as const,
      error: { code: 'CUSTOMIZATION_FAILED', message: 'out of memory', retryable: false },
    };
    await bus.publish(Topics.runFailedV1, runFailed);
    await bus.drain();
    await waitFor('evaluation.failed', () => bus.publishedTo(Topics.evaluationFailedV1).length === 1);
    expect(bus.publishedTo(Topics.evaluationFailedV1)[0]?.error).toMatchObject({
      code: 'CANCELLED',
      message: `base evaluation of ${M1} cancelled: run run-y failed`,
    });
    await bus.publish(Topics.runCancelledV1, {
      event_id: '5f7a2c11-8d0e-4b6a-a3c2-7e9f1d2b4c60',
      run_id: 'run-y',
      occurred_at: Date.UTC(2026, 1, 1) + 1,
      requested_by: 'alice',
      reason: null,
      stage: 'evaluation',
    });
    await bus.publish(Topics.runFailedV1, runFailed);
    await bus.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(bus.publishedTo(Topics.evaluationFailedV1)).toHaveLength(1);
    expect(bus.deadLetters).toEqual([]);
  });

  it('candidate.finished cancels that model’s open evaluations; run.deleted deletes the run’s jobs', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-f');
    sim.faults.addJobFault({ target: 'evaluation', match: M1, mode: 'stall', times: 2 });
    const bus = await boot(config(sim.url));

    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-f'));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-f', M1));
    await bus.drain();
    await waitFor('two started', () => bus.publishedTo(Topics.evaluationStartedV1).length === 2);

    await bus.publish(Topics.candidateFinishedV1, candidateFinished('run-f', M1));
    await bus.drain();
    await waitFor('two cancelled', () => bus.publishedTo(Topics.evaluationFailedV1).length === 2);
    expect(bus.publishedTo(Topics.evaluationFailedV1).map((e) => e.error.code)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(bus.publishedTo(Topics.evaluationFailedV1)[0]?.error.message).toContain(`candidate ${M1} finished`);
    expect([...sim.state.evaluationJobs.values()].map((j) => j.status)).toEqual(['cancelled', 'cancelled']);

    await bus.publish(Topics.runDeletedV1, runDeleted('run-f'));
    await bus.drain();
    await waitFor('jobs deleted', () => sim.state.evaluationJobs.size === 0);
  });

  it('resumes polling the same job after a restart mid-evaluation (no second job)', async () => {
    // 40 ms a sample: a 20-record job runs ~0.8 s, long enough to stop the driver in the middle.
    const { sim, platform } = await startSim({ delays: { evaluationSampleMs: 40 } });
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-r', []);
    const c = config(sim.url);
    const first = await boot(c);
    await first.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-r', []));
    await first.publish(Topics.candidateDeployedV1, candidateDeployed('run-r', M1));
    await first.drain();
    await waitFor('evaluation.started', () => first.publishedTo(Topics.evaluationStartedV1).length === 1);
    const jobId = first.publishedTo(Topics.evaluationStartedV1)[0]?.job_id ?? '';
    await close(apps[0]);
    expect(first.publishedTo(Topics.evaluationCompletedV1)).toEqual([]);

    const second = await boot(c);
    await waitFor('evaluation.completed', () => second.publishedTo(Topics.evaluationCompletedV1).length === 1);
    expect(second.publishedTo(Topics.evaluationCompletedV1)[0]).toMatchObject({ job_id: jobId, sample_count: 20 });
    expect(second.publishedTo(Topics.evaluationStartedV1)).toEqual([]);
    expect([...sim.state.evaluationJobs.keys()]).toEqual([jobId]);
  });

  it('reports a job that fails on the platform as evaluation.failed naming the model, the type and the cause', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-e');
    sim.faults.addJobFault({ target: 'evaluation', match: M1, mode: 'fail', message: 'inference server lost its GPU' });
    sim.faults.add({ method: 'POST', path: '/v1/evaluation/jobs', action: { kind: 'http-error', status: 503 } });
    const bus = await boot(config(sim.url));

    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-e'));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-e', M1));
    await bus.drain();
    await waitFor('one failed and one completed', () => {
      return (
        bus.publishedTo(Topics.evaluationFailedV1).length + bus.publishedTo(Topics.evaluationCompletedV1).length === 2
      );
    });
    const [failed] = bus.publishedTo(Topics.evaluationFailedV1);
    expect(failed?.error.code).toBe('EVALUATION_FAILED');
    expect(failed?.error.message).toMatch(
      new RegExp(`(base|icl) evaluation of ${M1} failed: .*inference server lost its GPU`),
    );
    expect(failed?.job_id).not.toBeNull();
    // The first create answered 503 and was tried again: still one job per evaluation.
    expect(sim.state.evaluationJobs.size).toBe(2);
  });

  it('refuses an evaluation the platform cannot start with EVALUATION_START_FAILED', async () => {
    const { sim, platform } = await startSim();
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-s', []);
    sim.faults.add({
      method: 'POST',
      path: '/v1/evaluation/jobs',
      action: { kind: 'http-error', status: 422, body: '{"detail":"unknown judge"}' },
    });
    const bus = await boot(config(sim.url));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-s', []));
    await bus.publish(Topics.candidateDeployedV1, candidateDeployed('run-s', M1));
    await bus.drain();
    await waitFor('evaluation.failed', () => bus.publishedTo(Topics.evaluationFailedV1).length === 1);
    const [failed] = bus.publishedTo(Topics.evaluationFailedV1);
    expect(failed).toMatchObject({ job_id: null, error: { code: 'EVALUATION_START_FAILED', retryable: false } });
    expect(failed?.error.message).toContain(`base evaluation of ${M1} failed: evaluator.createJob failed: HTTP 422`);
  });
});

describe('evaluator-driver with the local engine (OpenAI-compatible backend)', () => {
  it('re-creates a job the restarted process no longer knows, and completes it once', async () => {
    const { sim, platform: nemo } = await startSim({ delays: {} });
    await deploy(nemo, M1);
    const datasetsDir = join(dir, 'datasets');
    await uploadDatasets(new FileDatasetStore(datasetsDir), 'run-l', []);
    const c = config(sim.url, {
      PLATFORM_BACKEND: 'openai-compatible',
      DATASETS_DIR: datasetsDir,
      OPENAI_COMPATIBLE_CONFIG: JSON.stringify({
        endpoints: [{ model: M1, baseUrl: `${sim.url}/v1` }],
        judge: { model: TEACHER, baseUrl: `${sim.url}/v1` },
        evaluation: { concurrency: 2, pollIntervalMs: 10 },
        retry: { maxAttempts: 1 },
      }),
    });
    // Each app builds its own platform from config, as a new process would: the second has no record of the job.
    const platformOf = (): Platform => {
      if (c.platform.backend !== 'openai-compatible') throw new Error('expected the openai-compatible backend');
      return createOpenAICompatiblePlatform(c.platform.openai);
    };
    // The first candidate call hangs long enough to stop the driver mid-job.
    sim.faults.add({ method: 'POST', path: '/v1/chat/completions', action: { kind: 'stall', ms: 1500 } });

    const first = await boot(c, { evaluation: platformOf().evaluation });
    await first.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-l', []));
    await first.publish(Topics.candidateDeployedV1, candidateDeployed('run-l', M1));
    await first.drain();
    await waitFor('evaluation.started', () => first.publishedTo(Topics.evaluationStartedV1).length === 1);
    const firstJob = first.publishedTo(Topics.evaluationStartedV1)[0]?.job_id;
    await close(apps[0]);

    const second = await boot(c, { evaluation: platformOf().evaluation });
    await waitFor('evaluation.completed', () => second.publishedTo(Topics.evaluationCompletedV1).length === 1);
    const [started] = second.publishedTo(Topics.evaluationStartedV1);
    expect(started?.job_id).toMatch(/^eval-local-/);
    expect(started?.job_id).not.toBe(firstJob);
    const [completed] = second.publishedTo(Topics.evaluationCompletedV1);
    expect(completed).toMatchObject({ job_id: started?.job_id, sample_count: 20 });
    // The local engine reports per-sample timing and usage; the means travel, the samples do not.
    expect(completed?.mean_latency_ms).not.toBeNull();
    expect(completed?.mean_completion_tokens).toBeGreaterThan(0);
    const state = new EvaluationStateStore(c.statePath);
    try {
      expect(state.get({ runId: 'run-l', modelName: M1, evalType: 'base' })).toMatchObject({
        status: 'completed',
        jobAttempts: 2,
      });
    } finally {
      state.close();
    }
  });
});
