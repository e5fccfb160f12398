// Bounded retries with full-jitter exponential backoff. Callers decide what is retryable: an idempotent call
// may be retried after timeouts, network errors and 5xx; any call after 429/503 (the server did no work).
import { z } from 'zod';
import { PlatformAbortedError } from '../errors';

export const retryPolicySchema = z.object({
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  baseDelayMs: z.number().int().min(0).default(250),
  maxDelayMs: z.number().int().min(0).default(8000),
  /** Upper bound on a server's Retry-After we are willing to honour. */
  maxRetryAfterMs: z.number().int().min(0).default(30000),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export interface RetryDecision {
  retry: boolean;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

export interface RetryRuntime {
  policy: RetryPolicy;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function withRetries<T>(
  runtime: RetryRuntime,
  call: string,
  attempt: (n: number) => Promise<T>,
  classify: (err: unknown) => RetryDecision,
  signal?: AbortSignal,
  onRetry?: (n: number, err: unknown, delayMs: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const decision = classify(err);
      if (!decision.retry || n >= runtime.policy.maxAttempts) throw err;
      const delay = backoffDelay(runtime.policy, n, runtime.random, decision.retryAfterMs);
      onRetry?.(n, err, delay);
      if (signal?.aborted) throw new PlatformAbortedError(call);
      await runtime.sleep(delay, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
