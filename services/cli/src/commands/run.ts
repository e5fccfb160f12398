// `flywheel run …`: start, watch, list, show, cancel and delete flywheel runs through the jobs API
// (results-aggregator). Errors of the API are printed in its own words and exit 1.
import { Command } from 'commander';
import { type JobsClient } from '../api/jobs-client';
import { type CliContext, defaultSleep } from '../context';
import { CliError, ExitCode } from '../errors';
import { renderDetail, renderList, renderReport } from '../render/job-render';
import { assertCompleted, watchRun } from '../watch/watch-run';
import {
  apiClient,
  modelList,
  nonEmpty,
  positiveInt,
  positiveNumber,
  printJson,
  withApiOptions,
  type ApiFlags,
} from './api-options';

interface StartFlags extends ApiFlags {
  readonly workloadId: string;
  readonly clientId: string;
  readonly candidates?: string[];
  readonly icl: boolean;
  readonly customize?: boolean;
  readonly evalSize?: number;
  readonly seed?: number;
  readonly watch?: boolean;
  readonly interval: number;
  readonly watchTimeout?: number;
}

export interface StartRequest {
  readonly workloadId: string;
  readonly clientId: string;
  readonly candidates?: readonly string[];
  readonly icl?: boolean;
  readonly customize?: boolean;
  readonly evalSize?: number;
  readonly seed?: number;
}

/** The POST /api/jobs body of a start request (only what was given: the server's defaults fill the rest). */
export function jobBody(req: StartRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { workload_id: req.workloadId, client_id: req.clientId };
  if (req.candidates !== undefined) {
    body.candidates = req.candidates.map((model_name) => ({
      model_name,
      icl_enabled: req.icl ?? true,
      customization_enabled: req.customize ?? false,
    }));
  }
  const split: Record<string, unknown> = {};
  if (req.evalSize !== undefined) split.eval_size = req.evalSize;
  if (req.seed !== undefined) split.random_seed = req.seed;
  if (Object.keys(split).length > 0) body.data_split_config = split;
  return body;
}

export interface WatchAndReportOptions {
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  readonly json?: boolean;
  readonly signal?: AbortSignal;
}

/** Watches a run to its end, prints the report when it completed, and fails (exit 1) when it did not. */
export async function watchAndReport(
  ctx: CliContext,
  client: JobsClient,
  id: string,
  options: WatchAndReportOptions,
): Promise<void> {
  const job = await watchRun(
    client,
    id,
    options.json === true ? { ...ctx.io, stdout: { write: () => true } } : ctx.io,
    {
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      sleep: ctx.sleep ?? defaultSleep,
      signal: options.signal,
    },
  );
  if (job.status === 'completed') {
    const report = await client.report(id);
    if (options.json === true) printJson(ctx, report);
    else ctx.io.stdout.write(`\n${renderReport(report)}`);
  } else if (options.json === true) {
    printJson(ctx, job);
  }
  assertCompleted(job);
}

async function startAction(ctx: CliContext, flags: StartFlags): Promise<void> {
  if (flags.candidates === undefined && (flags.customize === true || !flags.icl)) {
    // The server's default candidates carry their own settings; these flags only shape the listed ones.
    throw new CliError('--customize and --no-icl apply to the models of --candidates: name them', ExitCode.usage);
  }
  const client = apiClient(ctx, flags);
  const created = await client.create(
    jobBody({
      workloadId: flags.workloadId,
      clientId: flags.clientId,
      candidates: flags.candidates,
      icl: flags.icl,
      customize: flags.customize,
      evalSize: flags.evalSize,
      seed: flags.seed,
    }),
  );
  if (flags.json === true && flags.watch !== true) {
    printJson(ctx, created);
    return;
  }
  if (flags.json !== true) ctx.io.stdout.write(`started run ${created.id} (${created.status}): ${created.message}\n`);
  if (flags.watch !== true) {
    ctx.io.stdout.write(`follow it with: flywheel run watch ${created.id}\n`);
    return;
  }
  await watchAndReport(ctx, client, created.id, {
    intervalMs: flags.interval * 1000,
    timeoutMs: flags.watchTimeout === undefined ? undefined : flags.watchTimeout * 1000,
    json: flags.json,
  });
}

interface ListFlags extends ApiFlags {
  readonly workloadId?: string;
  readonly clientId?: string;
  readonly status?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export function runCommand(ctx: CliContext): Command {
  const run = new Command('run').description('flywheel runs (jobs): start, watch, list, show, cancel, delete');

  withApiOptions(
    run
      .command('start')
      .description('start a flywheel run over a workload’s logged records (POST /api/jobs)')
      .requiredOption('--workload-id <id>', 'workload whose logs are curated', nonEmpty)
      .requiredOption('--client-id <id>', 'client whose logs are curated', nonEmpty)
      .option('--candidates <models>', 'candidate models, comma-separated (default: the server’s list)', modelList)
      .option('--no-icl', 'skip the in-context-learning evaluation of the listed candidates')
      .option('--customize', 'LoRA-customize the listed candidates and evaluate the result')
      .option('--eval-size <n>', 'records in the evaluation split', positiveInt)
      .option('--seed <n>', 'random seed of the splits', (v) => Number.parseInt(v, 10))
      .option('--watch', 'show live per-candidate progress until the run ends, then the report')
      .option('--interval <seconds>', 'seconds between polls with --watch', positiveNumber, 2)
      .option('--watch-timeout <seconds>', 'stop watching (the run goes on) after this long', positiveNumber),
  ).action((flags: StartFlags) => startAction(ctx, flags));

  withApiOptions(
    run
      .command('list')
      .description('list runs, newest first (GET /api/jobs)')
      .option('--workload-id <id>', 'only this workload', nonEmpty)
      .option('--client-id <id>', 'only this client', nonEmpty)
      .option('--status <statuses>', 'only these statuses, comma-separated (pending,running,completed,…)', nonEmpty)
      .option('--limit <n>', 'runs per page (1..1000)', positiveInt)
      .option('--cursor <cursor>', 'the next page, as printed after a full page', nonEmpty),
  ).action(async (flags: ListFlags) => {
    const list = await apiClient(ctx, flags).list(flags);
    if (flags.json === true) printJson(ctx, list);
    else ctx.io.stdout.write(renderList(list));
  });

  withApiOptions(
    run
      .command('show')
      .description('one run: status, datasets, each candidate’s evaluations and customization (GET /api/jobs/ID)')
      .argument('<id>', 'run id'),
  ).action(async (id: string, flags: ApiFlags) => {
    const job = await apiClient(ctx, flags).get(id);
    if (flags.json === true) printJson(ctx, job);
    else ctx.io.stdout.write(renderDetail(job));
  });

  withApiOptions(
    run
      .command('watch')
      .description('follow a run until it ends, then print its report')
      .argument('<id>', 'run id')
      .option('--interval <seconds>', 'seconds between polls', positiveNumber, 2)
      .option('--watch-timeout <seconds>', 'stop watching (the run goes on) after this long', positiveNumber),
  ).action(async (id: string, flags: ApiFlags & { interval: number; watchTimeout?: number }) => {
    await watchAndReport(ctx, apiClient(ctx, flags), id, {
      intervalMs: flags.interval * 1000,
      timeoutMs: flags.watchTimeout === undefined ? undefined : flags.watchTimeout * 1000,
      json: flags.json,
    });
  });

  withApiOptions(
    run
      .command('cancel')
      .description('cancel a run: platform jobs are cancelled and deployments torn down (POST /api/jobs/ID/cancel)')
      .argument('<id>', 'run id'),
  ).action(async (id: string, flags: ApiFlags) => {
    const answer = await apiClient(ctx, flags).cancel(id);
    if (flags.json === true) printJson(ctx, answer);
    else ctx.io.stdout.write(`run ${answer.id}: ${answer.message}${answer.status ? ` (${answer.status})` : ''}\n`);
  });

  withApiOptions(
    run
      .command('delete')
      .description('delete a finished run and its platform resources (DELETE /api/jobs/ID)')
      .argument('<id>', 'run id'),
  ).action(async (id: string, flags: ApiFlags) => {
    const answer = await apiClient(ctx, flags).delete(id);
    if (flags.json === true) printJson(ctx, answer);
    else ctx.io.stdout.write(`run ${answer.id}: ${answer.message}\n`);
  });

  return run;
}
