// The scripted rehearsal: upload datasets → deploy → customize → evaluate base, ICL-free customized and teacher,
// all through the NeMo adapters against the simulator. Expected ordering: fine-tuned small ≈ teacher ≫ base small.
import { type EvaluationSpec, type Platform, createNemoPlatform } from '@flywheel/platform-clients';
import { type PlatformSimulator, orderingProblems, rehearse, startPlatformSimulator } from '../src';
import { type SimulatorProcess, exited, startSimulatorProcess } from './simulator-process';
import { FAST_WAIT, NO_RETRY_DELAY, SMALL_MODEL, TEACHER_MODEL, logLines } from './fixtures';

describe('scripted flywheel sequence against the simulator', () => {
  let sim: PlatformSimulator;
  let platform: Platform;
  const ns = 'dfwbp';
  const dataset = { namespace: ns, name: 'agent-python-tools-run-1' };

  beforeAll(async () => {
    sim = await startPlatformSimulator({
      gpuCapacity: 2,
      delays: { deploymentMs: 20, customizationStepMs: 1, evaluationSampleMs: 0 },
    });
    platform = createNemoPlatform({
      nemoBaseUrl: sim.url,
      nimBaseUrl: sim.url,
      datastoreBaseUrl: sim.url,
      namespace: ns,
      retry: NO_RETRY_DELAY,
      wait: FAST_WAIT,
    });
  });
  afterAll(() => sim.stop());

  it('ranks fine-tuned small ≈ teacher, base small well below', async () => {
    await platform.datasets.ensureNamespace(ns);
    await platform.datasets.uploadFile(dataset, {
      path: 'eval_data.jsonl',
      content: logLines('bfcl-simple-python.jsonl', 0, 100),
    });
    await platform.datasets.uploadFile(dataset, {
      path: 'training/train_data.jsonl',
      content: logLines('bfcl-simple-python.jsonl', 100, 400),
    });
    await platform.datasets.registerDataset(dataset);

    const updates: string[] = [];
    await platform.deployments.deploy({ model: SMALL_MODEL, gpus: 1 });
    await platform.deployments.waitUntilReady(SMALL_MODEL, {
      ...FAST_WAIT,
      onUpdate: (d) => updates.push(d.rawStatus),
    });
    expect(updates).toContain('ready');

    const config = await platform.customization.ensureConfig({
      baseModel: SMALL_MODEL,
      target: `${SMALL_MODEL}@2.0`,
      gpus: 1,
    });
    const job = await platform.customization.createJob({
      runId: 'run-1',
      workloadId: 'agent.python_tools',
      baseModel: SMALL_MODEL,
      config,
      dataset,
      hyperparameters: {
        trainingType: 'sft',
        finetuningType: 'lora',
        epochs: 2,
        batchSize: 16,
        learningRate: 1e-4,
        lora: { adapterDim: 32, adapterDropout: 0.1 },
      },
    });
    const progress: number[] = [];
    const trained = await platform.customization.waitForCompletion(job.id, {
      ...FAST_WAIT,
      onUpdate: (j) => progress.push(j.progress ?? 0),
    });
    expect(trained).toMatchObject({ status: 'succeeded', epochsCompleted: 2, stepsCompleted: 2 * Math.ceil(300 / 16) });
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const evaluate = async (model: string): Promise<Record<string, number | undefined>> => {
      const spec: EvaluationSpec = {
        kind: 'tool-calling',
        model,
        dataset,
        judge: { kind: 'platform', model: TEACHER_MODEL },
      };
      const created = await platform.evaluation.createJob(spec);
      await platform.evaluation.waitForCompletion(created.id, FAST_WAIT);
      return (await platform.evaluation.getResults(created.id)).scores;
    };
    const base = await evaluate(SMALL_MODEL);
    const customized = await evaluate(trained.outputModel);
    const teacher = await evaluate(TEACHER_MODEL);

    const metric = 'function_name_and_args_accuracy';
    expect(base[metric]).toBeLessThan(0.5);
    expect(customized[metric]!).toBeGreaterThan(base[metric]! + 0.3);
    expect(Math.abs(customized[metric]! - teacher[metric]!)).toBeLessThan(0.12);
    expect(teacher[metric]).toBeGreaterThan(0.85);
    expect(customized.tool_calling_correctness!).toBeGreaterThan(base.tool_calling_correctness! + 0.3);

    // Deterministic: the same seed gives the same scores.
    expect(await evaluate(SMALL_MODEL)).toEqual(base);
  });
});

describe('the scripted rehearsal against the standalone simulator (npm run simulator)', () => {
  let sim: SimulatorProcess | null = null;
  afterEach(async () => {
    if (sim && sim.child.exitCode === null) {
      sim.child.kill('SIGTERM');
      await exited(sim.child);
    }
  });

  it('completes upload → deploy → customize → evaluate with fine-tuned ≈ teacher ≫ base', async () => {
    sim = await startSimulatorProcess(['--fast']);
    const platform = createNemoPlatform({
      nemoBaseUrl: sim.url,
      nimBaseUrl: sim.url,
      datastoreBaseUrl: sim.url,
      wait: FAST_WAIT,
    });
    const steps: string[] = [];
    const result = await rehearse(platform, {
      records: logLines('bfcl-simple-python.jsonl', 0, 400).split('\n'),
      runId: 'standalone',
      onStep: (m) => steps.push(m),
    });
    expect(steps.map((s) => s.split(' ')[0])).toEqual([
      'upload',
      'deploy',
      'fine-tune',
      'evaluate',
      'evaluate',
      'evaluate',
    ]);
    expect(orderingProblems(result)).toEqual([]);
    expect(result.base.function_name_and_args_accuracy).toBeLessThan(0.5);
    expect(result.teacher.function_name_and_args_accuracy).toBeGreaterThan(0.85);
    expect(sim.output()).toContain('a simulator for offline rehearsal and tests, not a model');
  });
});
