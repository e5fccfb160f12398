// Keeps trying an idempotent start-up step (connect a store, join a broker) with capped exponential backoff until
// it succeeds or the service stops. A dependency that is down at boot then means "not ready", not a crash loop.

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
      const delay = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
      options.onFailure?.(attempt, err, delay);
      if (!(await wait(delay, options.signal))) return undefined;
    }
  }
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
