// One attempt: the handler runs inside the record's trace context, bounded by the handler timeout. Whatever happens
// becomes an Outcome; nothing escapes as an exception.
import { HandlerTimeoutError } from './errors';
import { type EventHandler, type EventMeta } from './handler';
import { Outcome } from './outcome';
import { withTraceContext } from './trace-context';
import { type RawHeaders } from './headers';

export interface AttemptResult {
  readonly outcome: Outcome;
  /** The handler threw (or timed out) rather than returning an outcome. */
  readonly threw: boolean;
}

export async function invokeHandler(
  handler: EventHandler<unknown>,
  payload: unknown,
  meta: Omit<EventMeta, 'signal'>,
  rawHeaders: RawHeaders,
  timeoutMs: number,
): Promise<AttemptResult> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new HandlerTimeoutError(timeoutMs));
    }, timeoutMs);
  });
  const run = (async (): Promise<unknown> =>
    withTraceContext(rawHeaders, () => handler(payload, { ...meta, signal: abort.signal })))();
  try {
    return { outcome: Outcome.fromResult(await Promise.race([run, timeout])), threw: false };
  } catch (err) {
    return { outcome: Outcome.fromError(err), threw: true };
  } finally {
    clearTimeout(timer);
    // A handler that outlives its timeout may still fail later; that failure was already counted.
    run.catch(() => undefined);
  }
}
