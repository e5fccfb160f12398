// Orchestration benchmark (issue 8): the whole embedded stack, every service its own process, the simulator with no
// delays, so what is measured is the flywheel's own orchestration — Kafka hops, state files, polling, the read model.
// 1. One run (3 candidates, ICL and LoRA each): wall time from POST /api/jobs to `completed`, and that minus the
//    dataset build (read + curate + upload, from the builder's own histogram) = the orchestration overhead
//    (target < 1 s beyond curation).
// 2. 20 runs at once on 20 workloads: wall time from the first POST to the last `completed` (target < 2× one run).
// Both with no platform delays and with the simulator's realistic (scaled-down) ones; see SCENARIOS.
// Prints figures; asserts nothing. Usage: npx tsx test/bench/orchestration/orchestration-bench.ts [runs] (default 20)
import { performance } from 'node:perf_hooks';
import {
  apiOf,
  ingestFile,
  isTerminal,
  LARGE,
  MEDIUM,
  SAMPLE_LOGS,
  SMALL,
  startE2eStack,
  waitForJob,
  type Api,
} from '../../e2e/e2e-fixtures';

const RUNS = Number(process.argv[2] ?? 20);
const FAST_POLL = { PLATFORM_POLL_INTERVAL_MS: '100' };

function job(workload: string): unknown {
  return {
    workload_id: workload,
    client_id: 'aiva-demo',
    candidates: [SMALL, MEDIUM, LARGE].map((model_name) => ({
      model_name,
      icl_enabled: true,
      customization_enabled: true,
    })),
    data_split_config: { random_seed: 7 },
  };
}

async function runOne(api: Api, workload: string): Promise<{ id: string; status: string }> {
  const created = await api.post('/api/jobs', job(workload));
  if (created.status !== 200)
    throw new Error(`POST /api/jobs answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  const done = await waitForJob(api, id, isTerminal, 600_000);
  return { id, status: done.status };
}

/** Sum of the builder's build-time histogram, in seconds. */
async function buildSeconds(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^flywheel_dataset_build_seconds_sum(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

interface Scenario {
  readonly name: string;
  readonly delays: 'none' | 'realistic';
  /** GPUs of the simulated platform and of the deployer, and jobs each driver keeps in flight. */
  readonly capacity: number;
}

/**
 * `none`: the simulator answers at once, so one run is pure orchestration plus curation (CPU-bound: 20 runs cannot
 * overlap much on 2 cores). `realistic`: the simulator's scaled-down platform lifecycle (deployments take seconds,
 * training steps 50 ms), where a run mostly waits on the platform and concurrent runs should overlap those waits;
 * the platform is given room for 20 runs (64 GPUs, 64 jobs in flight per driver) so its capacity is not what is
 * measured.
 */
const SCENARIOS: readonly Scenario[] = [
  { name: 'no platform delays', delays: 'none', capacity: 8 },
  { name: 'realistic platform delays', delays: 'realistic', capacity: 64 },
];

async function measure(scenario: Scenario): Promise<void> {
  const bootStart = performance.now();
  const capacity = String(scenario.capacity);
  const e2e = await startE2eStack({
    simulator: { delays: scenario.delays, seed: 7, gpuCapacity: scenario.capacity },
    env: { KAFKA_SESSION_TIMEOUT_MS: '10000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000', LOG_LEVEL: 'warn' },
    // Poll platform jobs often: with no simulated delays a 5 s poll would be all there is to measure.
    serviceEnv: {
      deployer: { ...FAST_POLL, DEPLOYER_GPU_CAPACITY: capacity },
      'customizer-driver': { ...FAST_POLL, CUSTOMIZER_MAX_CONCURRENT_JOBS: capacity },
      'evaluator-driver': { ...FAST_POLL, EVALUATOR_MAX_CONCURRENT_JOBS: capacity },
    },
  });
  console.log(
    `\n${scenario.name}: stack ready in ${((performance.now() - bootStart) / 1000).toFixed(1)} s ` +
      `(${e2e.stack.services.length} services)`,
  );
  try {
    const api = apiOf(e2e.stack);
    const workloads = Array.from({ length: RUNS + 1 }, (_, i) => `bench.workload-${i}`);
    for (const w of workloads) await ingestFile(e2e.stack, SAMPLE_LOGS, w);
    const metrics = `${e2e.stack.urls.services['dataset-builder']}/metrics`;

    // Warm-up: first-use costs (schema lookups, prepared statements, JIT) are not orchestration.
    await runOne(api, workloads[0] ?? 'bench.workload-0');

    const before = await buildSeconds(metrics);
    const t0 = performance.now();
    const single = await runOne(api, workloads[0] ?? 'bench.workload-0');
    const oneS = (performance.now() - t0) / 1000;
    const buildS = (await buildSeconds(metrics)) - before;
    console.log(
      `  one run: ${oneS.toFixed(2)} s wall (${single.status}); dataset build ${buildS.toFixed(2)} s; ` +
        `beyond the build ${(oneS - buildS).toFixed(2)} s` +
        (scenario.delays === 'none' ? ' = orchestration overhead (target < 1 s)' : ' (platform waits included)'),
    );

    const t1 = performance.now();
    const many = await Promise.all(workloads.slice(1).map((w) => runOne(api, w)));
    const manyS = (performance.now() - t1) / 1000;
    const completed = many.filter((r) => r.status === 'completed').length;
    console.log(
      `  ${RUNS} concurrent runs: ${manyS.toFixed(2)} s wall, ${completed}/${RUNS} completed; ` +
        `${(manyS / oneS).toFixed(2)}× one run (target < 2×)`,
    );
  } finally {
    await e2e.close();
  }
}

async function main(): Promise<void> {
  for (const scenario of SCENARIOS) await measure(scenario);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
