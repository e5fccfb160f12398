// The whole embedded flywheel under one supervisor: the broker and schema registry in this process (startDevStack),
// the platform simulator and each of the six services as a child process (`services/<name>/src/main.ts`, bundled at
// start by service-bundles.ts) pointed at the stack through its environment, output prefixed with the process name, readiness awaited
// on /health/ready. `flywheel up`, `npm run demo` and the end-to-end, kill and cancel tests all start it here.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevStack, type DevStack } from '../dev-stack';
import { describeExit, ManagedProcess, type ExitInfo, type LogSink } from './managed-process';
import { resolvePorts, type PortsOption, type StackPorts } from './ports';
import { waitForHttpOk } from './readiness';
import { buildBundles } from './service-bundles';
import {
  FLYWHEEL_SERVICES,
  isPresent,
  mainPathOf,
  SIMULATOR,
  type FlywheelServiceName,
  type StackProcessName,
} from './services';

/** The simulator's lifecycle delays (its `delaysSchema`), in milliseconds. */
export interface SimulatorDelays {
  readonly deploymentMs?: number;
  readonly jobStartMs?: number;
  readonly customizationStepMs?: number;
  readonly evaluationSampleMs?: number;
}

export interface SimulatorSettings {
  /** Seeds every simulated answer: same seed, same scores (default 42). */
  readonly seed?: number;
  /** GPUs shared by deployments and customization jobs (default 8). */
  readonly gpuCapacity?: number;
  /**
   * `realistic`: the simulator's scaled-down lifecycle (deployment 3 s, job start 1 s, 50 ms a training step, 20 ms
   * an evaluated record); `none`: no delays (as in unit tests); an object: those delays (the simulator's
   * `--delays <json>`; one not named is 0). Default `realistic`.
   */
  readonly delays?: 'realistic' | 'none' | SimulatorDelays;
  /** Fraction of simulated chat latency actually slept (default 0: answers at once). */
  readonly latencyScale?: number;
  /** Use a platform already running at this URL (NeMo or a simulator) instead of starting one. */
  readonly url?: string;
}

export interface FlywheelStackOptions {
  /**
   * Everything the stack writes: kafka/, schema-registry/, simulator/, stores/ (log and run store), and the services'
   * own state under `.data/<service>/` (the directory is their working directory, so relative defaults land here).
   */
  readonly dataDir: string;
  readonly host?: string;
  /** Default `'auto'` (free ports); `'default'` for the well-known ones (broker 9092, jobs API 8000, …). */
  readonly ports?: PortsOption;
  readonly simulator?: SimulatorSettings;
  /** The services to run (default all six); ones not in the tree yet are skipped with a warning. */
  readonly services?: readonly FlywheelServiceName[];
  /** Extra environment for every service (over the stack's own settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment per service (over `env`). */
  readonly serviceEnv?: Partial<Record<FlywheelServiceName, Readonly<Record<string, string>>>>;
  /** Every line the processes print, and the supervisor's own notes. Default: dropped. */
  readonly log?: LogSink;
  /** How long one process may take to answer its readiness URL (default 120 s: six Nest boots share two cores). */
  readonly readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL on stop (default 20 s). */
  readonly stopTimeoutMs?: number;
  /** Aborting while the stack starts stops what was started and rejects with StackStartError. */
  readonly signal?: AbortSignal;
  /** The checkout to run the services from (default: the one this file is in). */
  readonly repoRoot?: string;
  /** The Node binary for the children (default: this process's). */
  readonly nodePath?: string;
}

export interface StackUrls {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistry: string;
  readonly platform: string;
  /** The jobs API (results-aggregator). */
  readonly api: string;
  readonly services: Readonly<Record<FlywheelServiceName, string>>;
}

export interface StackPaths {
  /** SQLite file of the log store (written by the log-ingester, read by the dataset-builder and the jobs API). */
  readonly logStore: string;
  /** SQLite file of the run store (the jobs API's read model). */
  readonly runStore: string;
}

export interface FlywheelStack {
  readonly urls: StackUrls;
  readonly paths: StackPaths;
  readonly ports: StackPorts;
  readonly dataDir: string;
  /** The services running under this supervisor. */
  readonly services: readonly FlywheelServiceName[];
  /** Requested services that are not in the tree, with the reason. */
  readonly skipped: readonly { readonly name: FlywheelServiceName; readonly reason: string }[];
  /** Stops every service, the simulator and the broker; safe to call more than once. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) to one process and resolves when it has exited. */
  kill(name: StackProcessName, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Stops one process gracefully if it runs, starts it again and waits until it is ready. */
  restart(name: StackProcessName): Promise<void>;
  /** Resolves when the process answers its readiness URL; rejects naming it (with its last lines) otherwise. */
  waitReady(name: StackProcessName, timeoutMs?: number): Promise<void>;
  pid(name: StackProcessName): number | undefined;
  lastLines(name: StackProcessName, n?: number): string[];
  /** Called whenever a process exits, expected or not. */
  onExit(listener: (name: StackProcessName, info: ExitInfo) => void): void;
}

export class StackStartError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'StackStartError';
  }
}

const DEFAULT_READY_TIMEOUT_MS = 120_000;
const DEFAULT_STOP_TIMEOUT_MS = 20_000;
const REPO_ROOT = resolve(__dirname, '../../../..');

interface Entry {
  readonly proc: ManagedProcess;
  readonly readyUrl: string;
}

export async function startFlywheelStack(options: FlywheelStackOptions): Promise<FlywheelStack> {
  const host = options.host ?? '127.0.0.1';
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const sink: LogSink = options.log ?? (() => undefined);
  const note = (text: string): void => sink({ source: 'supervisor', stream: 'supervisor', text });
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;

  const requested = options.services ?? FLYWHEEL_SERVICES;
  const services: FlywheelServiceName[] = [];
  const skipped: { name: FlywheelServiceName; reason: string }[] = [];
  for (const name of requested) {
    if (isPresent(repoRoot, name)) services.push(name);
    else {
      const reason = `${mainPathOf(repoRoot, name)} does not exist yet`;
      skipped.push({ name, reason });
      note(`warning: skipping ${name}: ${reason}`);
    }
  }

  const ports = await resolvePorts(options.ports, host);
  const node = options.nodePath ?? process.execPath;
  // Bundled fresh for this start (see service-bundles.ts); npm packages resolve from the checkout's node_modules.
  const bundled = options.simulator?.url === undefined ? [SIMULATOR, ...services] : services;
  const bundles = await buildBundles(repoRoot, bundled, join(dataDir, 'bin')).catch((err: unknown) => {
    throw new StackStartError(err instanceof Error ? err.message : String(err));
  });
  const loaders = ['--enable-source-maps', '--require', bundles.parentWatch];
  const mainOf = (name: StackProcessName): string => bundles.mains.get(name) ?? mainPathOf(repoRoot, name);
  const nodePath = join(repoRoot, 'node_modules');
  const entries = new Map<StackProcessName, Entry>();
  const exitListeners: ((name: StackProcessName, info: ExitInfo) => void)[] = [];
  let stopping = false;
  let devStack: DevStack | undefined;

  const track = (name: StackProcessName, entry: Entry): void => {
    entries.set(name, entry);
    entry.proc.onExit((info) => {
      if (!stopping) entry.proc.note(describeExit(info));
      for (const listener of exitListeners) listener(name, info);
    });
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const running = [...entries.entries()].filter(([name, e]) => name !== SIMULATOR && e.proc.running);
    if (running.length > 0) note(`stopping ${running.map(([n]) => n).join(', ')}`);
    await Promise.all(running.map(([, e]) => e.proc.stop(stopTimeoutMs)));
    await entries.get(SIMULATOR)?.proc.stop(stopTimeoutMs);
    await devStack?.stop();
    devStack = undefined;
  };

  const waitReady = async (name: StackProcessName, timeoutMs = readyTimeoutMs): Promise<void> => {
    const entry = entries.get(name);
    if (entry === undefined) throw new StackStartError(`${name} is not part of this stack`);
    const started = Date.now();
    const result = await waitForHttpOk(entry.readyUrl, {
      timeoutMs,
      signal: options.signal,
      exited: () => entry.proc.exit,
    });
    if (result.ok) {
      entry.proc.note(`ready (${entry.readyUrl}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    const why =
      result.reason === 'aborted'
        ? 'start aborted'
        : result.reason === 'exited'
          ? describeExit(result.exit)
          : `no answer from ${entry.readyUrl} within ${Math.round(timeoutMs / 1000)} s (last: ${result.last})`;
    const tail = entry.proc.lastLines(15);
    throw new StackStartError(
      `${name} did not become ready: ${why}` +
        (tail.length > 0 ? `\nlast lines of ${name}:\n  ${tail.join('\n  ')}` : `\n${name} printed nothing`),
    );
  };

  try {
    devStack = await startDevStack({
      host,
      kafkaPort: ports.kafka,
      registryPort: ports['schema-registry'],
      dataDir,
      // startDevStack prefixes its lines with `[kafka] ` or `[schema-registry] `: that becomes the source.
      log: (line) => {
        const m = /^\[([\w-]+)\] (.*)$/s.exec(line);
        sink({ source: m?.[1] ?? 'kafka', stream: 'stdout', text: m?.[2] ?? line });
      },
    });
    note(`kafka on ${devStack.bootstrapServers.join(',')}, schema registry on ${devStack.schemaRegistryUrl}`);

    // Every process writes its spans under traces/ (`flywheel trace RUN_ID` reads them); FLYWHEEL_TRACES_DIR set
    // blank in `options.env` turns that off, OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_* there add OTLP export.
    const tracesEnv: Record<string, string> = {
      FLYWHEEL_TRACES_DIR: options.env?.FLYWHEEL_TRACES_DIR ?? join(dataDir, 'traces'),
    };
    let platformUrl = options.simulator?.url;
    if (platformUrl === undefined) {
      const sim = options.simulator ?? {};
      const args = [
        ...loaders,
        mainOf(SIMULATOR),
        '--host',
        host,
        '--port',
        String(ports[SIMULATOR]),
        '--seed',
        String(sim.seed ?? 42),
        '--gpus',
        String(sim.gpuCapacity ?? 8),
        '--latency-scale',
        String(sim.latencyScale ?? 0),
        '--data-dir',
        join(dataDir, 'simulator'),
        ...(sim.delays === 'none' ? ['--fast'] : []),
        ...(typeof sim.delays === 'object' ? ['--delays', JSON.stringify(sim.delays)] : []),
      ];
      platformUrl = `http://${host}:${ports[SIMULATOR]}`;
      const proc = new ManagedProcess(
        {
          name: SIMULATOR,
          command: node,
          args,
          cwd: dataDir,
          env: { NO_COLOR: '1', NODE_PATH: nodePath, ...tracesEnv },
        },
        sink,
      );
      track(SIMULATOR, { proc, readyUrl: `${platformUrl}/_sim/state` });
      proc.start();
      await waitReady(SIMULATOR);
    }

    const paths: StackPaths = {
      logStore: join(dataDir, 'stores', 'logs.db'),
      runStore: join(dataDir, 'stores', 'runs.db'),
    };
    const stackEnv: Record<string, string> = {
      NO_COLOR: '1',
      NODE_PATH: nodePath,
      HTTP_HOST: host,
      KAFKA_BROKERS: devStack.bootstrapServers.join(','),
      SCHEMA_REGISTRY_URL: devStack.schemaRegistryUrl,
      NEMO_BASE_URL: platformUrl,
      LOG_STORE_SQLITE_PATH: paths.logStore,
      RUN_STORE_SQLITE_PATH: paths.runStore,
      ...tracesEnv,
    };
    // The local simulator answers in milliseconds: poll its jobs twice a second, not every 5 s as for a real platform.
    const pollsPlatform: readonly FlywheelServiceName[] = ['deployer', 'customizer-driver', 'evaluator-driver'];
    const simulatorPoll: Record<string, string> =
      options.simulator?.url === undefined ? { PLATFORM_POLL_INTERVAL_MS: '500' } : {};
    for (const name of services) {
      const env = {
        ...stackEnv,
        ...(pollsPlatform.includes(name) ? simulatorPoll : {}),
        ...options.env,
        ...options.serviceEnv?.[name],
        HTTP_PORT: String(ports[name]),
      };
      const proc = new ManagedProcess(
        { name, command: node, args: [...loaders, mainOf(name)], cwd: dataDir, env },
        sink,
      );
      track(name, { proc, readyUrl: `http://${host}:${ports[name]}/health/ready` });
    }
    for (const name of services) {
      entries.get(name)?.proc.start();
      note(`started ${name} (pid ${String(entries.get(name)?.proc.pid)}, port ${ports[name]})`);
    }
    // Every service waits for its inputs on the bus, so they boot side by side; the first failure names itself.
    await Promise.all(services.map((name) => waitReady(name)));
    if (options.signal?.aborted === true) throw new StackStartError('start aborted');

    const serviceUrls = Object.fromEntries(
      FLYWHEEL_SERVICES.map((name) => [name, `http://${host}:${ports[name]}`]),
    ) as Record<FlywheelServiceName, string>;
    const urls: StackUrls = {
      kafkaBrokers: devStack.bootstrapServers,
      schemaRegistry: devStack.schemaRegistryUrl,
      platform: platformUrl,
      api: serviceUrls['results-aggregator'],
      services: serviceUrls,
    };
    note(`all ${services.length} services ready; jobs API on ${urls.api}`);

    let stopped: Promise<void> | undefined;
    const processOf = (name: StackProcessName): ManagedProcess => {
      const entry = entries.get(name);
      if (entry === undefined) throw new Error(`${name} is not part of this stack`);
      return entry.proc;
    };
    return {
      urls,
      paths,
      ports,
      dataDir,
      services,
      skipped,
      stop: () => (stopped ??= stopAll()),
      kill: async (name, signal = 'SIGKILL') => {
        const proc = processOf(name);
        if (!proc.running) throw new Error(`${name} is not running`);
        proc.note(`sending ${signal}`);
        proc.signal(signal);
        return proc.waitExit();
      },
      restart: async (name) => {
        const proc = processOf(name);
        if (proc.running) await proc.stop(stopTimeoutMs);
        proc.start();
        proc.note(`restarted (pid ${String(proc.pid)})`);
        await waitReady(name);
      },
      waitReady,
      pid: (name) => entries.get(name)?.proc.pid,
      lastLines: (name, n) => entries.get(name)?.proc.lastLines(n) ?? [],
      onExit: (listener) => void exitListeners.push(listener),
    };
  } catch (err) {
    await stopAll().catch((stopErr: unknown) =>
      note(`while stopping after a failed start: ${stopErr instanceof Error ? stopErr.message : String(stopErr)}`),
    );
    throw err;
  }
}
