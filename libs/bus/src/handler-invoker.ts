// One attempt: the handler runs inside the delivery's consumer span (so its spans and publishes are children of it),
// bounded by the handler timeout. Whatever happens becomes an Outcome; nothing escapes as an exception.
import { context, type Context } from '@opentelemetry/api';
import { HandlerTimeoutError } from './errors';
import { type EventHandler, type EventMeta } from './handler';
import { Outcome } from './outcome';

export interface AttemptResult {
  readonly outcome: Outcome;
  /** The handler threw (or timed out) rather than returning an outcome. */
  readonly threw: boolean;
}

export async function invokeHandler(
  handler: EventHandler<unknown>,
  payload: unknown,
  meta: Omit<EventMeta, 'signal'>,
  traceContext: Context,
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
    context.with(traceContext, () => handler(payload, { ...meta, signal: abort.signal })))();
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
