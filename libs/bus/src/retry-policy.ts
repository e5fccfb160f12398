// Bounded, in-process retries: the same message is handed to the handler again after an exponential backoff,
// before its offset is committed. Attempts are counted from 1; after attempt `maxAttempts` fails, dead letter.

export interface RetryPolicy {
  /** Handler invocations per message, the first included (1 = no retries). */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles for each attempt after that. */
  readonly backoffBaseMs: number;
  /** Ceiling of any one delay. */
  readonly backoffMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, backoffBaseMs: 500, backoffMaxMs: 30_000 };

/** Delay to wait after failed attempt `attempt` (1-based) before the next one. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const exp = Math.max(0, attempt - 1);
  // 2^exp overflows to Infinity for long runs of attempts; Math.min handles that.
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** exp);
}

/** The delays between all attempts of one message: maxAttempts - 1 entries. */
export function backoffSchedule(policy: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, i) => backoffDelayMs(policy, i + 1));
}

/** Resolves after `ms`, or early (false) when the signal aborts: shutdown and rebalances cut backoffs short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
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
