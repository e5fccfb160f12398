// `flywheel demo` (`npm run demo`): the flywheel answer on a bare checkout. Starts the embedded stack under a
// temporary directory, loads the sample production logs through `logs load`, runs a flywheel over three simulated
// candidates (1B, 3B, 8B; ICL and LoRA customization on) against the simulated 70B teacher, shows progress, prints
// the report and stops everything. Exit 0 only when the run completed.
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { formatLogLine, startFlywheelStack, type FlywheelStack } from '@flywheel/dev-stack';
import { createLogStore } from '@flywheel/stores';
import { JobsApiError, JobsClient } from '../api/jobs-client';
import { type CliContext, defaultSleep } from '../context';
import { CliError, errorText } from '../errors';
import { REPO_ROOT } from '../paths';
import { logsCommand } from './logs';
import { positiveNumber } from './api-options';
import { jobBody, watchAndReport } from './run';

/** 60 of the ~250 records: scores move in steps of 1/60, so two lucky answers do not decide the ranking. */
const DEMO_EVAL_SIZE = 60;

export const DEMO_CANDIDATES = [
  'meta/llama-3.2-1b-instruct',
  'meta/llama-3.2-3b-instruct',
  'meta/llama-3.1-8b-instruct',
] as const;
const WORKLOAD = 'agent.tool_router';
const CLIENT = 'aiva-demo';
const SHARED_DATA = resolve(REPO_ROOT, '../shared/data/bfcl-live-simple.jsonl');
const FIXTURE_DATA = resolve(REPO_ROOT, 'test/fixtures/production-logs/bfcl-live-simple.jsonl');

interface DemoFlags {
  readonly file?: string;
  readonly seed: number;
  readonly timeout: number;
  readonly interval: number;
  readonly fast?: boolean;
  readonly keep?: boolean;
  readonly verbose?: boolean;
}

/** Waits until the log-ingester has stored every published record (the jobs API counts stored ones). */
async function waitForStoredRecords(
  path: string,
  expected: number,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal,
): Promise<number> {
  const store = createLogStore({ kind: 'sqlite', path });
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  let connected = false;
  try {
    for (;;) {
      if (signal.aborted) throw new CliError('interrupted');
      if (existsSync(path)) {
        if (!connected) await store.connect();
        connected = true;
        const counts = await store.countByWorkload({ clientId: CLIENT });
        count = counts.find((c) => c.workload_id === WORKLOAD)?.count ?? 0;
        if (count >= expected) return count;
      }
      if (Date.now() >= deadline) {
        throw new CliError(
          `the log-ingester stored ${count} of ${expected} records within ${timeoutMs / 1000} s (see its log lines)`,
        );
      }
      await sleep(250);
    }
  } finally {
    await store.close();
  }
}

async function demoAction(ctx: CliContext, flags: DemoFlags): Promise<void> {
  const { io } = ctx;
  const t0 = io.clock();
  const seconds = (): string => ((io.clock() - t0) / 1000).toFixed(1);
  const step = (text: string): void => void io.stdout.write(`• ${text}\n`);
  const sleep = ctx.sleep ?? defaultSleep;

  let file = flags.file !== undefined ? resolve(flags.file) : SHARED_DATA;
  if (flags.file === undefined && !existsSync(SHARED_DATA)) {
    step(
      `${SHARED_DATA} is not there (the shared sample data sits beside the checkout); using the copy in test/fixtures`,
    );
    file = FIXTURE_DATA;
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-demo-'));
  const logFile = join(dataDir, 'services.log');
  const logOut = createWriteStream(logFile, { flags: 'a' });
  const abort = new AbortController();
  const removeHandler = ctx.onInterrupt?.(() => abort.abort());
  let stack: FlywheelStack | undefined;
  let succeeded = false;
  try {
    step(`starting the embedded flywheel (Kafka, schema registry, platform simulator, six services) in ${dataDir}`);
    stack = await (ctx.startStack ?? startFlywheelStack)({
      dataDir,
      ports: 'auto',
      simulator: { seed: flags.seed, gpuCapacity: 8, delays: flags.fast === true ? 'none' : 'realistic' },
      log: (line) => {
        const text = formatLogLine(line);
        logOut.write(`${text}\n`);
        if (flags.verbose === true) io.stderr.write(`${text}\n`);
        else if (line.source === 'supervisor' && line.text.startsWith('warning')) io.stderr.write(`${line.text}\n`);
      },
      signal: abort.signal,
    });
    if (stack.skipped.length > 0) {
      throw new CliError(
        `the demo needs every service; not in this checkout yet: ${stack.skipped.map((s) => s.name).join(', ')}`,
      );
    }
    step(`${stack.services.length} services ready after ${seconds()} s; jobs API on ${stack.urls.api}`);

    // The same code path as `flywheel logs load`, with its JSON summary captured to tell how many were published.
    let summaryJson = '';
    const loadCtx: CliContext = { ...ctx, io: { ...io, stdout: { write: (s: string) => (summaryJson += s) } } };
    await logsCommand(loadCtx)
      .exitOverride()
      .parseAsync(
        [
          'load',
          file,
          '--workload-id',
          WORKLOAD,
          '--client-id',
          CLIENT,
          '--brokers',
          stack.urls.kafkaBrokers.join(','),
          '--schema-registry-url',
          stack.urls.schemaRegistry,
          '--json',
        ],
        { from: 'user' },
      );
    const published = (JSON.parse(summaryJson) as { published: number }).published;
    step(`published ${published} production log records from ${relative(process.cwd(), file) || file}`);
    const stored = await waitForStoredRecords(stack.paths.logStore, published, 60_000, sleep, abort.signal);
    step(`the log-ingester stored ${stored} records for ${WORKLOAD} / ${CLIENT} (${seconds()} s)`);

    const client = new JobsClient({ baseUrl: stack.urls.api, timeoutMs: 30_000 });
    const created = await client.create(
      // The seed fixes the splits too, so the same seed gives the same report.
      jobBody({
        workloadId: WORKLOAD,
        clientId: CLIENT,
        candidates: DEMO_CANDIDATES,
        icl: true,
        customize: true,
        seed: flags.seed,
        evalSize: DEMO_EVAL_SIZE,
      }),
    );
    step(
      `run ${created.id} started: ${DEMO_CANDIDATES.join(', ')} — base, ICL and LoRA-customized, ` +
        'judged against the simulated meta/llama-3.3-70b-instruct teacher',
    );
    io.stdout.write('\n');
    await watchAndReport(ctx, client, created.id, {
      intervalMs: flags.interval * 1000,
      timeoutMs: flags.timeout * 1000,
      signal: abort.signal,
    });
    succeeded = true;
    io.stdout.write('\n');
    step(`flywheel answered in ${seconds()} s (simulated models: a rehearsal of the pipeline, not real scores)`);
  } catch (err) {
    if (abort.signal.aborted) throw new CliError('demo interrupted', undefined, { cause: err });
    const why = err instanceof JobsApiError ? `the jobs API refused: ${err.message}` : errorText(err);
    throw new CliError(`demo failed after ${seconds()} s: ${why}\n  service logs: ${logFile}`, undefined, {
      cause: err,
    });
  } finally {
    removeHandler?.();
    if (stack !== undefined) {
      step('stopping the stack');
      await stack.stop();
      step(`stopped; ${seconds()} s in all`);
    }
    await new Promise<void>((r) => logOut.end(() => r()));
    if (succeeded && flags.keep !== true) rmSync(dataDir, { recursive: true, force: true });
    else step(`kept ${dataDir} (service logs in ${logFile})`);
  }
}

export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .description(
      'the flywheel end to end on this machine: embedded stack in a temporary directory, sample logs loaded, a run ' +
        'over 1B / 3B / 8B simulated candidates against the 70B teacher, progress, the report; then everything stops',
    )
    .option('--file <jsonl>', 'production logs to load (default: ../shared/data/bfcl-live-simple.jsonl)')
    .option('--seed <n>', 'seed of the simulated models and of the data splits', (v) => Number.parseInt(v, 10), 42)
    .option('--timeout <seconds>', 'give up when the run has not finished after this long', positiveNumber, 300)
    .option('--interval <seconds>', 'seconds between progress polls', positiveNumber, 1)
    .option('--fast', 'no simulated platform delays')
    .option('--keep', 'keep the temporary directory (state and service logs)')
    .option('--verbose', 'print the services’ log lines too (always written to services.log)')
    .action((flags: DemoFlags) => demoAction(ctx, flags));
}
