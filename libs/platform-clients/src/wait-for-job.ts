// Polls a job until it is terminal. `pending`/`unknown` keep waiting (bugs §10.4, §10.5), `failed` and
// `cancelled` reject at once (§10.3), and a job whose progress stops rising fails as stalled — or as
// insufficient resources when the platform said `NotEnoughResources`. A poll that fails transiently (network
// error, timeout, 429/5xx after the call's own retries) is ridden out like a poll without progress: a platform
// restarting mid-job is not a failed job, but an outage longer than the stall timeout is reported as one.
import {
  PlatformAbortedError,
  type PlatformError,
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformTimeoutError,
} from './errors';
import { sleep as defaultSleep } from './http/retry';
import { type JobSnapshot, type WaitOptions } from './ports/jobs';

export interface WaitRuntime {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export const DEFAULT_WAIT = { pollIntervalMs: 5000, timeoutMs: 3_600_000, stallTimeoutMs: 3_600_000 } as const;

export async function waitForJob<S extends JobSnapshot>(
  call: string,
  poll: () => Promise<S>,
  options: WaitOptions<S> = {},
  runtime: WaitRuntime = {},
): Promise<S> {
  const now = runtime.now ?? Date.now;
  const sleep = runtime.sleep ?? defaultSleep;
  const interval = options.pollIntervalMs ?? DEFAULT_WAIT.pollIntervalMs;
  const timeout = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
  const stallTimeout = options.stallTimeoutMs ?? DEFAULT_WAIT.stallTimeoutMs;
  const started = now();
  let lastProgress = -1;
  let lastProgressAt = started;
  for (;;) {
    if (options.signal?.aborted) throw new PlatformAbortedError(call);
    let snapshot: S;
    try {
      snapshot = await poll();
    } catch (err) {
      if (!isTransient(err)) throw err;
      const t = now();
      if (t - started >= timeout || t - lastProgressAt >= stallTimeout) {
        const reason = t - started >= timeout ? 'timeout' : 'stalled';
        throw new PlatformJobError(call, reason, `platform unreachable for ${t - lastProgressAt} ms: ${err.message}`, {
          cause: err,
        });
      }
      await pause(call, sleep, interval, options.signal);
      continue;
    }
    options.onUpdate?.(snapshot);
    switch (snapshot.status) {
      case 'succeeded':
        return snapshot;
      case 'failed':
        throw new PlatformJobError(call, 'failed', snapshot.error ?? snapshot.message ?? 'no error details available');
      case 'cancelled':
        throw new PlatformJobError(call, 'cancelled', `status ${snapshot.rawStatus}`);
      case 'running':
      case 'pending':
      case 'unknown':
        break;
    }
    const t = now();
    if (snapshot.progress !== null && snapshot.progress > lastProgress) {
      lastProgress = snapshot.progress;
      lastProgressAt = t;
    }
    if (t - lastProgressAt >= stallTimeout) {
      const starved = (snapshot.message ?? '').includes('NotEnoughResources');
      throw new PlatformJobError(
        call,
        starved ? 'insufficient-resources' : 'stalled',
        `no progress for ${t - lastProgressAt} ms (status ${snapshot.rawStatus || 'none'}, progress ${lastProgress < 0 ? 'none' : lastProgress})`,
      );
    }
    if (t - started >= timeout) {
      throw new PlatformJobError(
        call,
        'timeout',
        `not finished after ${t - started} ms (status ${snapshot.rawStatus})`,
      );
    }
    await pause(call, sleep, interval, options.signal);
  }
}

async function pause(
  call: string,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch {
    throw new PlatformAbortedError(call);
  }
}

/** Failures that say nothing about the job: the platform could not be asked. */
function isTransient(err: unknown): err is PlatformError {
  if (err instanceof PlatformNetworkError || err instanceof PlatformTimeoutError) return true;
  return err instanceof PlatformHttpError && (err.status === 429 || (err.status >= 500 && err.status <= 504));
}
