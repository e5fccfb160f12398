// What a handler decided about one event. The bus maps each outcome: processed/skipped → commit; retryLater →
// try again after a backoff (then dead-letter once attempts run out); deadLetter → the DLQ topic, then commit.
import { HandlerTimeoutError, errorText } from './errors';

export type Outcome =
  | { readonly kind: 'processed' }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'retry-later'; readonly reason: string; readonly error?: unknown }
  | { readonly kind: 'dead-letter'; readonly reason: string; readonly error?: unknown };

export type OutcomeKind = Outcome['kind'];

const PROCESSED: Outcome = Object.freeze({ kind: 'processed' });
const KINDS: ReadonlySet<string> = new Set<OutcomeKind>(['processed', 'skipped', 'retry-later', 'dead-letter']);

export const Outcome = {
  processed: (): Outcome => PROCESSED,
  skipped: (reason: string): Outcome => ({ kind: 'skipped', reason }),
  retryLater: (reason: string, error?: unknown): Outcome => ({ kind: 'retry-later', reason, error }),
  deadLetter: (reason: string, error?: unknown): Outcome => ({ kind: 'dead-letter', reason, error }),

  is(value: unknown): value is Outcome {
    return typeof value === 'object' && value !== null && KINDS.has((value as { kind?: unknown }).kind as string);
  },

  /**
   * An exception out of a handler: retriable unless marked otherwise (NonRetriableError, or kafkajs's
   * `retriable: false`). A timeout is a failed attempt like any other.
   */
  fromError(err: unknown): Outcome {
    if (err instanceof HandlerTimeoutError) return Outcome.retryLater('handler-timeout', err);
    const retriable = typeof err === 'object' && err !== null ? (err as { retriable?: unknown }).retriable : undefined;
    if (retriable === false) return Outcome.deadLetter(`non-retriable error: ${errorText(err)}`, err);
    return Outcome.retryLater(`unexpected error: ${errorText(err)}`, err);
  },

  /** A handler that returns something other than an Outcome has a bug that retrying will not fix. */
  fromResult(result: unknown): Outcome {
    if (Outcome.is(result)) return result;
    return Outcome.deadLetter(`handler returned ${result === undefined ? 'undefined' : typeof result}, not an Outcome`);
  },
};

/** Final outcomes end the message's processing; the offset is committed after them. */
export function isFinal(outcome: Outcome): boolean {
  return outcome.kind !== 'retry-later';
}
