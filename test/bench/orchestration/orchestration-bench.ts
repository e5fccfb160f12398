// Orchestration benchmark (issue 8): the whole embedded stack, every service its own process, the simulator with no
// delays, so what is measured is the flywheel's own orchestration — Kafka hops, state files, polling, the read model.
// 1. One run (3 candidates, ICL and LoRA each): wall time from POST /api/jobs to `completed`, and that minus the
//    dataset build (read + curate + upload, from the builder's own histogram) = the orchestration overhead
//    (target < 1 s beyond curation).
// 2. 20 runs at once on 20 workloads: wall time from the first POST to the last `completed` (target < 2× one run).
// Both with no platform delays and with the simulator's realistic (scaled-down) ones; see SCENARIOS.
// Prints figures; asserts nothing. Usage: npx tsx test/bench/orchestration/orchestration-bench.ts [runs] (default 20)
// [--scenario none|realistic] (only that one) [--dump DIR] (every run's job document as JSON) [--timeline] (when each
// event type appeared in the runs, read back from the bus: the stage that stretches under load) [--cpu-prof DIR]
// (a CPU profile of each service's whole life)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { apiOf, ingestFile, LARGE, MEDIUM, SAMPLE_LOGS, SMALL, startE2eStack, type Api } from '../../e2e/e2e-fixtures';
import { printTimeline } from './event-timeline';
import { cpuBetween, descendantCpu } from './process-cpu';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
/** `--scenario none|realistic`: only that scenario. */
const ONLY = option('--scenario');
/** `--dump DIR`: each run's GET /api/jobs/{id} as JSON, to see where its time went. */
const DUMP_DIR = option('--dump');
/** `--timeline`: per event type, when it appeared in a run (read back from the bus), for one run and for many. */
const TIMELINE = process.argv.includes('--timeline');
/** `--cpu-prof DIR`: every service and the simulator write a CPU profile of their whole life into DIR. */
const PROFILE_DIR = option('--cpu-prof');
const PROFILE_ENV: Record<string, string> =
  PROFILE_DIR === undefined
    ? {}
    : {
        NODE_OPTIONS: `--import ${resolve(__dirname, '../cpu-profile-hook.mjs')}`,
        CPU_PROFILE_DIR: resolve(PROFILE_DIR),
      };
/**
 * With no platform delays the drivers poll every 100 ms, or a poll interval would be all there is to measure. With
 * realistic delays they poll as in `flywheel up` and the demo (500 ms): 20 runs put ~250 jobs in flight, and polling
 * each of them ten times a second would load the platform (and the machine) more than the runs themselves.
 */
const pollOf = (s: Scenario): Record<string, string> => ({
  PLATFORM_POLL_INTERVAL_MS: s.delays === 'none' ? '100' : '500',
});

/**
 * With --cpu-prof the bench starts the simulator itself (the supervisor gives its simulator no environment), with the
 * same settings the supervisor would use (a data dir too, where it saves its state), so it is profiled too. Resolves with its URL and a stop function.
 */
async function profiledSimulator(scenario: Scenario): Promise<{ url: string; stop: () => Promise<void> }> {
  const main = resolve(__dirname, '../../../services/platform-simulator/src/main.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-bench-simulator-'));
  const args = ['--import', 'tsx', main, '--port', '0', '--seed', '7', '--gpus', String(scenario.capacity)];
  args.push('--data-dir', dataDir);
  args.push('--latency-scale', '0', ...(scenario.delays === 'none' ? ['--fast'] : []));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...PROFILE_ENV },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`simulator exited with ${String(code)}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

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

async function start(api: Api, workload: string): Promise<string> {
  const created = await api.post('/api/jobs', job(workload));
  if (created.status !== 200)
    throw new Error(`POST /api/jobs answered ${created.status}: ${JSON.stringify(created.body)}`);
  return String(created.body.id);
}

interface Finished {
  readonly id: string;
  readonly status: string;
  /** The jobs API's finish time (epoch ms): wall times do not depend on how often the bench polls. */
  readonly finishedAt: number;
}

/**
 * Waits for every run with one list call per poll — a GET per run per poll would load the jobs API more than a
 * person watching does, and be measured as orchestration.
 */
async function waitForAll(api: Api, ids: readonly string[], timeoutMs = 600_000): Promise<Finished[]> {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, Finished>();
  while (done.size < ids.length) {
    if (Date.now() > deadline)
      throw new Error(`runs still unfinished after ${timeoutMs} ms: ${ids.length - done.size}`);
    await new Promise((r) => setTimeout(r, 250));
    const page = await api.get(`/api/jobs?limit=100`);
    const jobs = (page.body.jobs ?? []) as { id: string; status: string; finished_at?: string | null }[];
    for (const j of jobs) {
      if (!ids.includes(j.id) || done.has(j.id) || !['completed', 'failed', 'cancelled'].includes(j.status)) continue;
      done.set(j.id, { id: j.id, status: j.status, finishedAt: Date.parse(j.finished_at ?? '') });
    }
  }
  return ids.map((id) => done.get(id) as Finished);
}

async function runOne(api: Api, workload: string): Promise<Finished> {
  const [finished] = await waitForAll(api, [await start(api, workload)]);
  return finished as Finished;
}

/** Sum of the builder's build-time histogram, in seconds. */
async function buildSeconds(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^flywheel_dataset_build_seconds_sum(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * CPU seconds per run since `before` (the stack's processes, from /proc) plus this process (the broker, the schema
 * registry and the bench's own polling): the total first, then by process, biggest first. Null without /proc.
 */
function cpuFigures(before: Map<string, number> | null, self: NodeJS.CpuUsage, runs: number): string | null {
  const after = descendantCpu();
  if (before === null || after === null) return null;
  const own = process.cpuUsage(self);
  const byProcess = cpuBetween(before, after);
  byProcess.set('broker+bench', (own.user + own.system) / 1e6);
  const total = [...byProcess.values()].reduce((a, b) => a + b, 0);
  const parts = [...byProcess]
    .filter(([, s]) => s >= 0.005 * runs)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${(s / runs).toFixed(2)}`);
  return `${(total / runs).toFixed(2)} s (${parts.join(', ')})`;
}

interface Scenario {
  readonly name: string;
  readonly delays: 'none' | 'realistic';
  /** GPUs of the simulated platform and of the deployer, jobs each driver keeps in flight, builds at once. */
  readonly capacity: number;
}

/**
 * `none`: the simulator answers at once, so one run is pure orchestration plus curation (CPU-bound: 20 runs cannot
 * overlap much on 2 cores). `realistic`: the simulator's scaled-down platform lifecycle (deployments take seconds,
 * training steps 50 ms), where a run mostly waits on the platform and concurrent runs should overlap those waits;
 * the platform is given room for 20 runs (64 GPUs, 64 customizations and 9 evaluations a run in flight, 64 builds at
 * once) so its capacity is not what is measured.
 */
const SCENARIOS: readonly Scenario[] = [
  { name: 'no platform delays', delays: 'none', capacity: 8 },
  { name: 'realistic platform delays', delays: 'realistic', capacity: 64 },
];

async function measure(scenario: Scenario): Promise<void> {
  const bootStart = performance.now();
  const capacity = String(scenario.capacity);
  const poll = pollOf(scenario);
  // Each run has nine evaluations (three candidates × base, ICL, customized): room for all of them when the platform
  // has room for every run (the driver's ceiling is 256).
  const evaluations = String(
    scenario.delays === 'none' ? scenario.capacity : Math.min(256, Math.max(scenario.capacity, 9 * RUNS)),
  );
  const profiled = PROFILE_DIR === undefined ? undefined : await profiledSimulator(scenario);
  const e2e = await startE2eStack({
    simulator:
      profiled === undefined
        ? { delays: scenario.delays, seed: 7, gpuCapacity: scenario.capacity }
        : { url: profiled.url },
    env: {
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
      ...PROFILE_ENV,
    },
    serviceEnv: {
      'dataset-builder': { BUILDER_CONCURRENT_BUILDS: capacity },
      deployer: { ...poll, DEPLOYER_GPU_CAPACITY: capacity },
      'customizer-driver': { ...poll, CUSTOMIZER_MAX_CONCURRENT_JOBS: capacity },
      'evaluator-driver': { ...poll, EVALUATOR_MAX_CONCURRENT_JOBS: evaluations },
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
    const cpuOne0 = descendantCpu();
    const cpuSelf0 = process.cpuUsage();
    const t0 = Date.now();
    const single = await runOne(api, workloads[0] ?? 'bench.workload-0');
    const oneS = (single.finishedAt - t0) / 1000;
    const buildS = (await buildSeconds(metrics)) - before;
    const cpuOne = cpuFigures(cpuOne0, cpuSelf0, 1);
    console.log(
      `  one run: ${oneS.toFixed(2)} s wall (${single.status}); dataset build ${buildS.toFixed(2)} s; ` +
        `beyond the build ${(oneS - buildS).toFixed(2)} s` +
        (scenario.delays === 'none' ? ' = orchestration overhead (target < 1 s)' : ' (platform waits included)'),
    );

    const cpu0 = process.cpuUsage();
    const cpuMany0 = descendantCpu();
    const t1 = Date.now();
    const ids = await Promise.all(workloads.slice(1).map((w) => start(api, w)));
    const many = await waitForAll(api, ids);
    const manyS = (Math.max(...many.map((r) => r.finishedAt)) - t1) / 1000;
    const cpuMany = cpuFigures(cpuMany0, cpu0, RUNS);
    const cpu = process.cpuUsage(cpu0);
    const brokerCpuS = (cpu.user + cpu.system) / 1e6;
    const completed = many.filter((r) => r.status === 'completed').length;
    if (TIMELINE) {
      await printTimeline(e2e.stack.urls.kafkaBrokers, [single.id], 'one run');
      await printTimeline(
        e2e.stack.urls.kafkaBrokers,
        many.map((r) => r.id),
        `${RUNS} concurrent runs`,
      );
    }
    if (DUMP_DIR !== undefined) {
      mkdirSync(DUMP_DIR, { recursive: true });
      for (const [i, r] of [single, ...many].entries()) {
        const doc = await api.get(`/api/jobs/${r.id}`);
        writeFileSync(join(DUMP_DIR, `${scenario.delays}-${i}.json`), JSON.stringify(doc.body, null, 2));
      }
    }
    console.log(
      `  ${RUNS} concurrent runs: ${manyS.toFixed(2)} s wall, ${completed}/${RUNS} completed; ` +
        `${(manyS / oneS).toFixed(2)}× one run (target < 2×); the broker and schema registry (this process) used ` +
        `${brokerCpuS.toFixed(1)} s of CPU meanwhile`,
    );
    if (cpuOne !== null) console.log(`  CPU per run, one run alone: ${cpuOne}`);
    if (cpuMany !== null) console.log(`  CPU per run, ${RUNS} at once:  ${cpuMany}`);
  } finally {
    await e2e.close();
    await profiled?.stop();
  }
}

async function main(): Promise<void> {
  for (const scenario of SCENARIOS) if (ONLY === undefined || scenario.delays === ONLY) await measure(scenario);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
