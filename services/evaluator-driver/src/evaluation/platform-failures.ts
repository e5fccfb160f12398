// How a platform error becomes the error of an evaluation.failed event, and which errors are worth another try.
import {
  describe,
  PlatformHttpError,
  type PlatformJobError,
  PlatformNetworkError,
  PlatformTimeoutError,
} from '@flywheel/platform-clients';
import { type ErrorInfoV1 } from '@flywheel/contracts';

/** The platform could not be asked (network, timeout, 429, 5xx): the same call may succeed later. */
export function isTransient(err: unknown): boolean {
  if (err instanceof PlatformNetworkError || err instanceof PlatformTimeoutError) return true;
  return err instanceof PlatformHttpError && (err.status === 429 || (err.status >= 500 && err.status <= 504));
}

/** The code of a job that ended without results. */
export function codeOfJobError(err: PlatformJobError): { code: string; retryable: boolean } {
  switch (err.reason) {
    case 'failed':
      return { code: 'EVALUATION_FAILED', retryable: false };
    case 'cancelled':
      // Cancelled on the platform by someone else: not the run's cancel (that one is CANCELLED).
      return { code: 'EVALUATION_JOB_CANCELLED', retryable: true };
    case 'stalled':
      return { code: 'EVALUATION_STALLED', retryable: true };
    case 'timeout':
      return { code: 'EVALUATION_TIMEOUT', retryable: true };
    case 'insufficient-resources':
      return { code: 'INSUFFICIENT_RESOURCES', retryable: true };
  }
}

/** `what failed: cause`, e.g. "base evaluation of m failed: evaluator.waitForCompletion failed: failed: …". */
export function errorInfo(code: string, what: string, cause: unknown, retryable: boolean): ErrorInfoV1 {
  const detail = typeof cause === 'string' ? cause : describe(cause);
  return { code, message: `${what} failed: ${truncate(detail, 1500)}`, retryable };
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
