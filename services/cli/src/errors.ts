// Failures the CLI reports as one clear line and an exit code, instead of a stack trace.

export const ExitCode = {
  ok: 0,
  /** The command ran and failed: file unreadable, nothing published, broker or registry unreachable. */
  failure: 1,
  /** Bad usage: unknown option, missing argument, invalid option value or environment variable. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  public constructor(
    message: string,
    public readonly exitCode: ExitCode = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

function messageOf(err: unknown): string | undefined {
  // Duck-typed: errors from node internals (fetch, sockets) may come from another realm (vm contexts, Jest).
  return typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
    ? (err as { message: string }).message
    : undefined;
}

export function errorText(err: unknown): string {
  return messageOf(err) ?? String(err);
}

/** The innermost cause's message: `fetch failed` says less than the `connect ECONNREFUSED …` under it. */
export function rootCauseText(err: unknown): string {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
    if (messageOf(cause) === undefined) break;
    current = cause;
  }
  return errorText(current);
}
