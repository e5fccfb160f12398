// A simulator with a data dir keeps datasets, deployments, customization and evaluation jobs and models across
// restarts — stopped cleanly in-process, or killed with SIGKILL as a standalone process — and jobs that were in
// flight carry on from the clock. Everything is checked through the NeMo adapters, as the flywheel sees it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorOptionsInput, startPlatformSimulator } from '../src';
import { SMALL_MODEL, TEACHER_MODEL, logLines } from './fixtures';
import { DATASET, FAST_WAIT, HYPER, type Harness, nemoPlatformAt, seed, startHarness } from './nemo-harness';
import { type SimulatorProcess, exited, startSimulatorProcess } from './simulator-process';

const JUDGE = { kind: 'platform', model: TEACHER_MODEL } as const;
const WAIT = { ...FAST_WAIT, pollIntervalMs: 20 };

describe('simulator state in a data dir', () => {
  let dir: string;
  let h: Harness | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-sim-'));
  });
  afterEach(async () => {
    await h?.sim.stop();
    h = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every entity across a restart, and jobs in flight carry on and finish', async () => {
    const options: SimulatorOptionsInput = {
      dataDir: dir,
      delays: { deploymentMs: 300, customizationStepMs: 300, evaluationSampleMs: 60 },
    };
    h = await startHarness(options);
    const config = await seed(h);
    await h.platform.deployments.deploy({ model: SMALL_MODEL, gpus: 1 });
    const customization = await h.platform.customization.createJob({
      runId: 'persist',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER, // 50 training records, batch 10, 1 epoch: 5 steps of 300 ms
    });
    const evaluation = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    await new Promise((r) => setTimeout(r, 150));
    const before = await h.platform.customization.getJob(customization.id);
    expect(before.status).toBe('running');
    await h.sim.stop();

    h = await startHarness(options); // a new process would see the same: nothing is kept in the adapters either
    expect(await h.platform.datasets.getDataset(DATASET)).toMatchObject(DATASET);
    expect(await h.platform.datasets.downloadFile(DATASET, 'eval_data.jsonl')).toBe(
      logLines('bfcl-live-simple.jsonl', 0, 10),
    );
    expect(await h.platform.customization.ensureConfig({ baseModel: SMALL_MODEL, target: 't', gpus: 1 })).toEqual(
      config,
    );
    const after = await h.platform.customization.getJob(customization.id);
    expect(after.outputModel).toBe(customization.outputModel);
    expect(after.stepsCompleted).toBeGreaterThanOrEqual(before.stepsCompleted);
    const trained = await h.platform.customization.waitForCompletion(customization.id, WAIT);
    expect(trained).toMatchObject({ status: 'succeeded', stepsCompleted: 5, epochsCompleted: 1 });
    expect(await h.platform.deployments.waitUntilReady(SMALL_MODEL, WAIT)).toMatchObject({ deployed: true });
    expect(await h.platform.deployments.listServedModels()).toContain(customization.outputModel);
    await h.platform.evaluation.waitForCompletion(evaluation.id, WAIT);
    const results = await h.platform.evaluation.getResults(evaluation.id);
    expect(results.samples).toHaveLength(10);
    expect(results.scores.function_name_accuracy).toBeGreaterThan(0.5);

    // Ids are never reused; finished jobs stay finished with their counters through another restart.
    const next = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: SMALL_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    expect([customization.id, evaluation.id]).not.toContain(next.id);
    await h.sim.stop();
    h = await startHarness(options);
    expect(await h.platform.customization.getJob(customization.id)).toMatchObject({
      status: 'succeeded',
      stepsCompleted: 5,
      progress: 100,
    });
    expect((await h.platform.evaluation.getResults(evaluation.id)).scores).toEqual(results.scores);
    await h.platform.evaluation.waitForCompletion(next.id, WAIT);
  });

  it('holds the GPUs of restored deployments and running jobs', async () => {
    const options: SimulatorOptionsInput = { dataDir: dir, gpuCapacity: 2, delays: { customizationStepMs: 10_000 } };
    h = await startHarness(options);
    const config = await seed(h);
    await h.platform.deployments.deploy({ model: SMALL_MODEL, gpus: 1 });
    await h.platform.deployments.waitUntilReady(SMALL_MODEL, WAIT);
    const job = await h.platform.customization.createJob({
      runId: 'gpu',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    expect((await h.platform.customization.getJob(job.id)).status).toBe('running');
    await h.sim.stop();
    h = await startHarness(options);
    expect(h.sim.state.gpus.free).toBe(0);
    await h.platform.customization.cancelJob(job.id);
    expect(h.sim.state.gpus.free).toBe(1);
  });

  it('reads a data dir saved by the previous version (every job inside state.json)', async () => {
    const options: SimulatorOptionsInput = { dataDir: dir, delays: { evaluationSampleMs: 0, jobStartMs: 0 } };
    h = await startHarness(options);
    await seed(h);
    const evaluation = await h.platform.evaluation.createJob({
      kind: 'tool-calling',
      model: TEACHER_MODEL,
      dataset: DATASET,
      judge: JUDGE,
    });
    await h.platform.evaluation.waitForCompletion(evaluation.id, WAIT);
    const scores = (await h.platform.evaluation.getResults(evaluation.id)).scores;
    await h.sim.stop();
    h = null;

    // Version 2 names each finished job's blob; version 1 held the records themselves.
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      finishedJobs: { customization: string[]; evaluation: string[] };
      evaluationJobs: unknown[];
    };
    expect(state.finishedJobs.evaluation).toHaveLength(1);
    expect(state.evaluationJobs).toHaveLength(0);
    const blob = (hash: string): unknown => JSON.parse(readFileSync(join(dir, 'blobs', hash), 'utf8')) as unknown;
    const { finishedJobs, ...rest } = state;
    const v1 = { ...rest, version: 1, evaluationJobs: finishedJobs.evaluation.map(blob) };
    writeFileSync(join(dir, 'state.json'), JSON.stringify(v1));

    h = await startHarness(options);
    expect(await h.platform.evaluation.getJob(evaluation.id)).toMatchObject({ status: 'succeeded' });
    expect((await h.platform.evaluation.getResults(evaluation.id)).scores).toEqual(scores);
  });

  it('refuses a dir another live simulator holds, and a damaged state file, naming the problem', async () => {
    h = await startHarness({ dataDir: dir });
    await expect(startPlatformSimulator({ dataDir: dir })).rejects.toThrow(/already open in this process/);
    await h.sim.stop();
    h = null;
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...state, ids: 'many', deployments: [{}] }));
    await expect(startPlatformSimulator({ dataDir: dir })).rejects.toThrow(
      /state\.json is invalid: ids: Expected number, received string; deployments\.0\.name: Required/,
    );
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "ids": ');
    await expect(startPlatformSimulator({ dataDir: dir })).rejects.toThrow(/state\.json is not valid JSON/);
  });
});

describe('npm run simulator with --data-dir (a separate process, killed with SIGKILL)', () => {
  const running: SimulatorProcess[] = [];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-sim-cli-'));
  });
  afterEach(() => {
    for (const p of running.splice(0))
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<SimulatorProcess> => {
    const p = await startSimulatorProcess(['--data-dir', dir]);
    running.push(p);
    return p;
  };

  it('a job accepted just before the kill is there after the restart, and completes', async () => {
    let sim = await start();
    let h = nemoPlatformAt(sim.url);
    const config = await seed(h);
    const job = await h.platform.customization.createJob({
      runId: 'kill',
      workloadId: 'w',
      baseModel: SMALL_MODEL,
      config,
      dataset: DATASET,
      hyperparameters: HYPER,
    });
    sim.child.kill('SIGKILL'); // right after the 201: no chance to save anything more
    await exited(sim.child);

    sim = await start();
    h = nemoPlatformAt(sim.url);
    expect(await h.platform.customization.getJob(job.id)).toMatchObject({ outputModel: job.outputModel });
    const done = await h.platform.customization.waitForCompletion(job.id, WAIT);
    expect(done).toMatchObject({ status: 'succeeded', stepsCompleted: 5 });
    expect(await h.platform.datasets.getDataset(DATASET)).toMatchObject(DATASET);
    sim.child.kill('SIGTERM');
    await exited(sim.child);
    expect(sim.child.exitCode).toBe(0);
  });
});
