// Waiting for a process to answer: poll an HTTP URL until it returns 2xx, giving up when the deadline passes, the
// process exits, or the caller aborts. Each probe has its own short timeout so a hung server cannot stall the wait.
import { type ExitInfo } from './managed-process';

export interface WaitHttpOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly probeTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** How the process ended, if it did: the wait stops at once instead of running into the deadline. */
  readonly exited?: () => ExitInfo | undefined;
}

export type WaitResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'timeout'; readonly last: string }
  | { readonly ok: false; readonly reason: 'exited'; readonly exit: ExitInfo }
  | { readonly ok: false; readonly reason: 'aborted' };

export async function waitForHttpOk(url: string, options: WaitHttpOptions): Promise<WaitResult> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let last = 'no answer yet';
  for (;;) {
    if (options.signal?.aborted === true) return { ok: false, reason: 'aborted' };
    const exit = options.exited?.();
    if (exit !== undefined) return { ok: false, reason: 'exited', exit };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(options.probeTimeoutMs ?? 2000) });
      const body = await res.text();
      if (res.ok) return { ok: true };
      last = `HTTP ${res.status}: ${body.slice(0, 300)}`;
    } catch (err) {
      last = probeError(err);
    }
    if (Date.now() >= deadline) return { ok: false, reason: 'timeout', last };
    await new Promise((r) => setTimeout(r, interval));
  }
}

function probeError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
