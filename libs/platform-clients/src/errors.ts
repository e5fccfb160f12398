// Typed failures of platform calls. Every message starts with the call that failed
// ("customizer.createJob failed: HTTP 500 …") so a log line alone says where to look.

export class PlatformError extends Error {
  public constructor(
    /** The platform call, `<service>.<operation>`, e.g. `customizer.createJob`. */
    public readonly call: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${call} failed: ${detail}`, options);
    this.name = 'PlatformError';
  }
}

/** The platform answered with an HTTP status the call does not accept. */
export class PlatformHttpError extends PlatformError {
  public constructor(
    call: string,
    public readonly status: number,
    public readonly statusText: string,
    public readonly body: string,
  ) {
    super(call, `HTTP ${status} ${statusText}${body ? `: ${truncate(body, 300)}` : ''}`);
    this.name = 'PlatformHttpError';
  }
}

/** No answer within the call's timeout. */
export class PlatformTimeoutError extends PlatformError {
  public constructor(
    call: string,
    public readonly timeoutMs: number,
  ) {
    super(call, `no response within ${timeoutMs} ms`);
    this.name = 'PlatformTimeoutError';
  }
}

/** The connection failed (refused, reset, DNS). */
export class PlatformNetworkError extends PlatformError {
  public constructor(call: string, cause: unknown) {
    super(call, `network error: ${describe(cause)}`, { cause });
    this.name = 'PlatformNetworkError';
  }
}

/** The body was not JSON, or did not have the expected shape. */
export class PlatformResponseError extends PlatformError {
  public constructor(call: string, detail: string, cause?: unknown) {
    super(call, `unexpected response: ${detail}`, { cause });
    this.name = 'PlatformResponseError';
  }
}

/** A long-running job (deployment, customization, evaluation) ended failed or cancelled, or never finished. */
export class PlatformJobError extends PlatformError {
  public constructor(
    call: string,
    public readonly reason: 'failed' | 'cancelled' | 'stalled' | 'timeout' | 'insufficient-resources',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(call, `${reason}: ${detail}`, options);
    this.name = 'PlatformJobError';
  }
}

/** The caller passed something the call cannot use (e.g. a missing job id); nothing was sent. */
export class PlatformArgumentError extends PlatformError {
  public constructor(call: string, detail: string) {
    super(call, `invalid argument: ${detail}`);
    this.name = 'PlatformArgumentError';
  }
}

/** The backend has no such capability (e.g. fine-tuning on a plain OpenAI-compatible endpoint). */
export class PlatformUnsupportedError extends PlatformError {
  public constructor(call: string, detail: string) {
    super(call, `not supported: ${detail}`);
    this.name = 'PlatformUnsupportedError';
  }
}

/** The run was aborted by the caller's signal. */
export class PlatformAbortedError extends PlatformError {
  public constructor(call: string) {
    super(call, 'aborted by caller');
    this.name = 'PlatformAbortedError';
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The platform has no such job, model or dataset. */
export class PlatformNotFoundError extends PlatformError {
  public constructor(call: string, what: string) {
    super(call, `not found: ${what}`);
    this.name = 'PlatformNotFoundError';
  }
}
