// Keeps trying an idempotent start-up step (connect a store, join a broker) with capped exponential backoff until
// it succeeds or the service stops. A dependency that is down at boot then means "not ready", not a crash loop.
import { setTimeout as delay } from 'node:timers/promises';

export interface RetryUntilOptions {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Stops the loop (at the next wait or before the next attempt); the promise then resolves `undefined`. */
  readonly signal?: AbortSignal;
  /** After each failed attempt, with the wait before the next one. */
  readonly onFailure?: (attempt: number, error: unknown, delayMs: number) => void;
}

export async function retryUntil<T>(
  step: (attempt: number) => Promise<T>,
  options: RetryUntilOptions,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) return undefined;
    try {
      return await step(attempt);
    } catch (err) {
      const backoff = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
      options.onFailure?.(attempt, err, backoff);
      if (!(await wait(backoff, options.signal))) return undefined;
    }
  }
}

/** Resolves true after `ms`, or false as soon as the signal aborts (shutdown cuts a backoff short). */
function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return delay(ms, true, { signal }).catch(() => false);
}
