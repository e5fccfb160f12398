// What the HTTP layer tells a service's metrics about each platform call: its outcome (ok, or the kind of error),
// how long it took retries included, and how many attempts it made. The service kit turns this into Prometheus
// metrics; this library stays free of any metrics library.
import {
  PlatformAbortedError,
  PlatformHttpError,
  PlatformNetworkError,
  PlatformResponseError,
  PlatformTimeoutError,
} from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Why a call failed: the status class of an HTTP status the call does not accept, no answer in time, no connection,
 * a body that was not what the call expects, the caller's abort, or anything else.
 */
export type PlatformErrorKind =
  'http-4xx' | 'http-5xx' | 'http-other' | 'timeout' | 'network' | 'response' | 'aborted' | 'error';

export type PlatformCallOutcome = 'ok' | PlatformErrorKind;

export interface PlatformCallEvent {
  /** `<service>.<operation>`, e.g. `customizer.createJob`. */
  readonly call: string;
  readonly method: HttpMethod;
  readonly outcome: PlatformCallOutcome;
  /** From the first attempt to the outcome, retry waits and body validation included. */
  readonly seconds: number;
  /** Requests sent (1 without retries; 0 when none was, e.g. aborted before the first). */
  readonly attempts: number;
}

export interface PlatformObserver {
  /** Called once per platform call, after its outcome. */
  callEnded(event: PlatformCallEvent): void;
}

export function errorKindOf(err: unknown): PlatformErrorKind {
  if (err instanceof PlatformHttpError) {
    if (err.status >= 400 && err.status < 500) return 'http-4xx';
    if (err.status >= 500 && err.status < 600) return 'http-5xx';
    return 'http-other';
  }
  if (err instanceof PlatformTimeoutError) return 'timeout';
  if (err instanceof PlatformNetworkError) return 'network';
  if (err instanceof PlatformResponseError) return 'response';
  if (err instanceof PlatformAbortedError) return 'aborted';
  return 'error';
}

/**
 * Runs one call and reports it to the observer (when there is one). `work` calls `attempted` before each request it
 * sends. An observer that throws never fails the call.
 */
export async function observeCall<T>(
  observer: PlatformObserver | undefined,
  call: string,
  method: HttpMethod,
  work: (attempted: () => void) => Promise<T>,
): Promise<T> {
  if (observer === undefined) return work(() => undefined);
  const started = performance.now();
  let attempts = 0;
  const report = (outcome: PlatformCallOutcome): void => {
    try {
      observer.callEnded({ call, method, outcome, seconds: (performance.now() - started) / 1000, attempts });
    } catch {
      // Metrics must never break a platform call.
    }
  };
  try {
    const result = await work(() => void (attempts += 1));
    report('ok');
    return result;
  } catch (err) {
    report(errorKindOf(err));
    throw err;
  }
}
