// `--watch`: poll one run until it reaches a terminal status, showing each candidate's progress. On a terminal the
// table is redrawn in place; elsewhere (CI logs, pipes) a line is printed whenever a candidate's state changes.
import { TERMINAL_RUN_STATUSES, type JobDetail } from '../api/api-schemas';
import { JobsApiError, type JobsClient } from '../api/jobs-client';
import { CliError, errorText } from '../errors';
import { type CliIo } from '../io';
import { renderCandidateLine, renderProgress } from '../render/job-render';

export interface WatchOptions {
  readonly intervalMs: number;
  /** Give up (the run keeps going) after this long; undefined = wait as long as it takes. */
  readonly timeoutMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Consecutive failed polls tolerated (a restarting API) before the watch gives up. */
  readonly maxFailedPolls?: number;
  /** Stops the watch (Ctrl-C in `demo`); the run itself goes on. */
  readonly signal?: AbortSignal;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CliError('interrupted');
}

const ERASE_UP = (lines: number): string => (lines > 0 ? `\u001b[${lines}A\u001b[0J` : '');

export async function watchRun(client: JobsClient, id: string, io: CliIo, options: WatchOptions): Promise<JobDetail> {
  const started = io.clock();
  const tty = io.stdout.isTTY === true;
  let drawnLines = 0;
  let lastRunLine = '';
  const lastRows = new Map<string, string>();
  let failed = 0;
  for (;;) {
    checkAborted(options.signal);
    let job: JobDetail | undefined;
    try {
      job = await client.get(id);
      failed = 0;
    } catch (err) {
      // An unknown id or a bad answer will not get better; an unreachable or failing API may (a restarting service).
      const transient = err instanceof JobsApiError ? err.status >= 500 : err instanceof CliError;
      if (!transient || ++failed > (options.maxFailedPolls ?? 10)) throw err;
      io.stderr.write(`watch: ${errorText(err)}; trying again\n`);
    }
    const elapsed = (io.clock() - started) / 1000;
    if (job !== undefined) {
      if (tty) {
        const text = renderProgress(job, elapsed);
        io.stdout.write(ERASE_UP(drawnLines) + text);
        drawnLines = text.split('\n').length - 1;
      } else {
        const runLine = `${job.status}${job.num_records > 0 ? `, ${job.num_records} records` : ''}`;
        if (runLine !== lastRunLine) {
          io.stdout.write(`[${elapsed.toFixed(0).padStart(4)} s] run ${job.id} ${runLine}\n`);
          lastRunLine = runLine;
        }
        for (const row of candidateRows(job)) {
          if (lastRows.get(row.model) !== row.text) {
            io.stdout.write(`[${elapsed.toFixed(0).padStart(4)} s]   ${row.text}\n`);
            lastRows.set(row.model, row.text);
          }
        }
      }
      if (TERMINAL_RUN_STATUSES.includes(job.status)) return job;
    }
    if (options.timeoutMs !== undefined && io.clock() - started >= options.timeoutMs) {
      throw new CliError(
        `run ${id} is still ${job?.status ?? 'unknown'} after ${Math.round(options.timeoutMs / 1000)} s ` +
          `(it keeps going; \`flywheel run cancel ${id}\` stops it)`,
      );
    }
    await options.sleep(options.intervalMs);
    checkAborted(options.signal);
  }
}

/** Each candidate as one fixed-width line, keyed by model (the non-terminal view prints the ones that change). */
function candidateRows(job: JobDetail): { model: string; text: string }[] {
  const width = Math.max(0, ...job.nims.map((n) => n.model_name.length));
  return job.nims.map((nim) => ({ model: nim.model_name, text: renderCandidateLine(nim, job.workload_type, width) }));
}

/** Exit status of a watched run: completed is success; failed and cancelled are errors that say why. */
export function assertCompleted(job: JobDetail): void {
  if (job.status === 'completed') return;
  if (job.status === 'cancelled') throw new CliError(`run ${job.id} was cancelled`);
  throw new CliError(`run ${job.id} ${job.status}${job.error !== null ? `: ${job.error}` : ''}`);
}
