// Whole flywheel runs on the embedded stack, every service its own process, driven only from outside: logs in over
// HTTP, jobs through the jobs API, the platform seen through the simulator's control endpoint. The simulator keeps its
// scaled-down lifecycle (deployments take seconds, training steps 50 ms) so there is time to kill and cancel mid-run.
// 1. An undisturbed run: datasets, deployments, LoRA, base / ICL / customized evaluations, a report whose ordering
//    makes sense, nothing left deployed.
// 2. The same run again while every pipeline service is SIGKILLed once mid-run and restarted: same report.
// 3. A run cancelled during customization: the platform job is cancelled, the deployments torn down.
import {
  anyCustomization,
  anyEvaluation,
  apiOf,
  ingestFile,
  isTerminal,
  LARGE,
  MEDIUM,
  missingServices,
  nimsOf,
  reportOf,
  SAMPLE_LOGS,
  scoresOf,
  simulatorState,
  SMALL,
  startE2eStack,
  waitForJob,
  CLIENT,
  WORKLOAD,
  type Api,
  type E2eStack,
  type JobDetail,
  type Report,
} from './e2e-fixtures';

jest.setTimeout(900_000);

/** Enough training steps (epochs × batches × 50 ms) that customization is still running when we act on it. */
const JOB = {
  workload_id: WORKLOAD,
  client_id: CLIENT,
  candidates: [SMALL, MEDIUM, LARGE].map((model_name) => ({
    model_name,
    icl_enabled: true,
    customization_enabled: true,
  })),
  data_split_config: { random_seed: 7 },
  training_config: { epochs: 20 },
};

describe('flywheel runs end to end (six services, each its own process)', () => {
  let e2e: E2eStack;
  let api: Api;
  let undisturbed: Report | undefined;

  beforeAll(async () => {
    e2e = await startE2eStack({ simulator: { delays: 'realistic', seed: 7 } });
    api = apiOf(e2e.stack);
    const missing = missingServices(e2e.stack);
    if (missing !== null) throw new Error(`the end-to-end runs need all six services: ${missing}`);
    expect(await ingestFile(e2e.stack, SAMPLE_LOGS)).toBeGreaterThan(200);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  async function start(body: unknown = JOB): Promise<string> {
    const created = await api.post('/api/jobs', body);
    expect(created.status).toBe(200);
    return String(created.body.id);
  }

  async function waitFor(id: string, done: (job: JobDetail) => boolean, what: string): Promise<JobDetail> {
    return waitForJob(api, id, done, 420_000, what).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last lines ---\n${e2e.tail()}`);
    });
  }

  async function liveDeployments(): Promise<string[]> {
    const deadline = Date.now() + 60_000;
    let live: string[] = [];
    while (Date.now() < deadline) {
      live = (await simulatorState(e2e)).deployments.map((d) => `${d.model} (${d.status})`);
      if (live.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return live;
  }

  it('turns production logs into a report where the fine-tuned small model closes on the teacher', async () => {
    const id = await start();
    const job = await waitFor(id, isTerminal, 'the run to finish');
    expect({ status: job.status, error: job.error ?? null }).toEqual({ status: 'completed', error: null });

    const report = await reportOf(api, id);
    undisturbed = report;
    expect(report).toMatchObject({ final: true, primary_metric: 'function_name_and_args_accuracy' });
    expect(report.candidates.map((c) => c.status)).toEqual(['completed', 'completed', 'completed']);
    const small = report.candidates.find((c) => c.model_name === SMALL);
    const base = small?.scores.base?.function_name_and_args_accuracy ?? 1;
    const tuned = small?.scores.customized?.function_name_and_args_accuracy ?? 0;
    // Base small models sit far below the teacher (1.0); LoRA on the workload's own logs brings the 1B close.
    expect(base).toBeLessThan(0.6);
    expect(tuned).toBeGreaterThan(base + 0.25);
    expect(report.recommendation.rationale.length).toBeGreaterThan(0);
    // Every candidate's deployment is torn down once it finished.
    expect(await liveDeployments()).toEqual([]);
  });

  it('completes with the same report when every pipeline service is SIGKILLed once mid-run', async () => {
    if (undisturbed === undefined) throw new Error('needs the undisturbed run of the previous test');
    const id = await start();
    const { stack } = e2e;
    const killAndRestart = async (name: Parameters<typeof stack.kill>[0]): Promise<void> => {
      const exit = await stack.kill(name, 'SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      await stack.restart(name);
    };
    await killAndRestart('dataset-builder');
    await waitFor(id, (j) => j.status === 'running' || isTerminal(j), 'the datasets to be built');
    await killAndRestart('deployer');
    await waitFor(id, (j) => anyCustomization('running')(j) || isTerminal(j), 'a customization to run');
    await killAndRestart('customizer-driver');
    await waitFor(id, (j) => anyEvaluation('running')(j) || anyEvaluation('completed')(j) || isTerminal(j), 'evals');
    await killAndRestart('evaluator-driver');
    await killAndRestart('results-aggregator');

    const job = await waitFor(id, isTerminal, 'the run to finish after the kills');
    expect({ status: job.status, error: job.error ?? null }).toEqual({ status: 'completed', error: null });
    expect(scoresOf(await reportOf(api, id))).toEqual(scoresOf(undisturbed));
    expect(await liveDeployments()).toEqual([]);
  });

  it('cancels during customization: the platform job is cancelled and the deployments torn down', async () => {
    const id = await start({ ...JOB, training_config: { epochs: 200 } });
    const running = await waitFor(id, anyCustomization('running'), 'a customization to run');
    const jobIds = nimsOf(running).flatMap((n) => n.customizations.map((c) => c.job_id).filter((j) => j !== null));
    expect(jobIds.length).toBeGreaterThan(0);

    const cancel = await api.post(`/api/jobs/${id}/cancel`);
    expect(cancel.status).toBe(200);
    const job = await waitFor(id, isTerminal, 'the run to be cancelled');
    expect(job.status).toBe('cancelled');
    // Cancel again: idempotent, the answer says it is already cancelled.
    expect((await api.post(`/api/jobs/${id}/cancel`)).status).toBeLessThan(500);

    const deadline = Date.now() + 60_000;
    let open: string[] = [];
    while (Date.now() < deadline) {
      const jobs = (await simulatorState(e2e)).customizationJobs.filter((j) => jobIds.includes(j.id));
      open = jobs.filter((j) => j.status !== 'cancelled').map((j) => `${j.id}: ${j.status}`);
      if (open.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(open).toEqual([]);
    expect(await liveDeployments()).toEqual([]);
  });
});
