// The consume path both transports share: decode → validate → handler with bounded retries → a final result.
// The transport then publishes the dead letter (if any) and commits, or, when abandoned, commits nothing.
import { contractOf, type Catalogue } from './catalogue';
import { buildDeadLetter, type DeadLetterReason, type DeadLetterRecord, type InboundRecord } from './dead-letter';
import { DecodeError, errorText } from './errors';
import { type EventCodec } from './event-codec';
import { type HandlerRegistration } from './handler';
import { invokeHandler } from './handler-invoker';
import { eventIdOf, headersToStrings } from './headers';
import { type BusObserver, type DeliveryOutcome } from './bus-observer';
import { type BusLogger } from './logger';
import { type Outcome } from './outcome';
import { backoffDelayMs, sleep, type RetryPolicy } from './retry-policy';
import { startProcessSpan, type ProcessSpan } from './tracing/bus-spans';

export type DeliveryResult =
  | { readonly kind: 'completed'; readonly outcome: Outcome; readonly attempts: number }
  | { readonly kind: 'dead-lettered'; readonly deadLetter: DeadLetterRecord; readonly attempts: number }
  /** Interrupted (shutdown, rebalance) while waiting to retry: not committed, so the record comes again. */
  | { readonly kind: 'abandoned'; readonly attempts: number };

export interface DeliverySettings {
  readonly groupId: string;
  readonly catalogue: Catalogue;
  readonly codec: EventCodec;
  readonly retry: RetryPolicy;
  readonly handlerTimeoutMs: number;
  readonly logger: BusLogger;
  readonly now?: () => Date;
  readonly observer?: BusObserver;
}

export class MessageDelivery {
  public constructor(private readonly s: DeliverySettings) {}

  /**
   * Never throws for a bad record or a failing handler (those end as dead letters). Throws only transient
   * infrastructure errors, such as an unreachable schema registry: the caller must then not commit.
   */
  public async deliver(
    record: InboundRecord,
    registration: HandlerRegistration | undefined,
    interrupt: AbortSignal,
  ): Promise<DeliveryResult> {
    const span = startProcessSpan({ ...record, groupId: this.s.groupId });
    const started = performance.now();
    try {
      const result = await this.deliverTraced(record, registration, interrupt, span);
      if (result.kind === 'completed') span.end(result.outcome.kind, result.attempts);
      else if (result.kind === 'abandoned') span.end('abandoned', result.attempts);
      else span.end('dead-letter', result.attempts, `${result.deadLetter.reason}: ${result.deadLetter.error}`);
      this.s.observer?.delivered({
        topic: record.topic,
        groupId: this.s.groupId,
        outcome: outcomeOf(result),
        seconds: (performance.now() - started) / 1000,
      });
      return result;
    } catch (err) {
      span.fail(err);
      throw err;
    }
  }

  private async deliverTraced(
    record: InboundRecord,
    registration: HandlerRegistration | undefined,
    interrupt: AbortSignal,
    span: ProcessSpan,
  ): Promise<DeliveryResult> {
    const where = `${record.topic}[${record.partition}]@${record.offset}`;
    if (registration === undefined) return this.deadLetter(record, 'no-handler', `no handler in this group`, 0);

    let decoded;
    try {
      decoded = await this.s.codec.decode(record.topic, record.value);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return this.deadLetter(record, `decode:${err.kind}`, err.message, 0, err.schemaId);
    }
    const { payload, schemaId } = decoded;

    const problems = this.validate(record.topic, payload);
    if (problems.length > 0) {
      const detail = `payload fails validation of '${record.topic}': ${problems.join('; ')}`;
      return this.deadLetter(record, 'decode:invalid-payload', detail, 0, schemaId);
    }

    const headers = headersToStrings(record.headers);
    span.describe(payload, headers['event-id'] ?? eventIdOf(payload));
    const { maxAttempts } = this.s.retry;
    for (let attempt = 1; ; attempt++) {
      const meta = {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key === null ? null : record.key.toString(),
        headers,
        eventId: headers['event-id'] ?? eventIdOf(payload),
        schemaId,
        groupId: this.s.groupId,
        attempt,
        maxAttempts,
      };
      const { outcome, threw } = await invokeHandler(
        registration.handler,
        payload,
        meta,
        span.context,
        this.s.handlerTimeoutMs,
      );
      switch (outcome.kind) {
        case 'processed':
          this.s.logger.debug?.(`${where}: ${registration.name} processed (attempt ${attempt})`);
          return { kind: 'completed', outcome, attempts: attempt };
        case 'skipped':
          this.s.logger.debug?.(`${where}: ${registration.name} skipped: ${outcome.reason}`);
          return { kind: 'completed', outcome, attempts: attempt };
        case 'dead-letter':
          return this.deadLetter(
            record,
            threw ? 'non-retriable-error' : 'handler-dead-letter',
            outcome.reason,
            attempt,
            schemaId,
          );
        case 'retry-later': {
          if (attempt >= maxAttempts) {
            const detail = `gave up after ${attempt} attempts; last: ${outcome.reason}`;
            return this.deadLetter(record, 'retries-exhausted', detail, attempt, schemaId);
          }
          const delay = backoffDelayMs(this.s.retry, attempt);
          span.retrying(attempt, outcome.reason);
          this.s.logger.warn(
            `${where}: ${registration.name} attempt ${attempt}/${maxAttempts} failed (${outcome.reason}); ` +
              `retrying in ${delay} ms`,
          );
          if (!(await sleep(delay, interrupt))) {
            this.s.logger.warn(`${where}: retries interrupted after attempt ${attempt}; left uncommitted`);
            return { kind: 'abandoned', attempts: attempt };
          }
          break;
        }
      }
    }
  }

  private validate(topic: string, payload: unknown): string[] {
    try {
      return contractOf(this.s.catalogue, topic).validate(payload);
    } catch (err) {
      return [`validate threw ${errorText(err)}`];
    }
  }

  private deadLetter(
    record: InboundRecord,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
    schemaId?: number,
  ): DeliveryResult {
    const deadLetter = buildDeadLetter({
      groupId: this.s.groupId,
      record,
      reason,
      error,
      attempts,
      schemaId,
      failedAt: this.s.now?.() ?? new Date(),
    });
    this.s.logger.error(
      `${record.topic}[${record.partition}]@${record.offset}: dead-lettered to ${deadLetter.topic} ` +
        `(${reason}, ${attempts} attempts): ${deadLetter.error}`,
    );
    return { kind: 'dead-lettered', deadLetter, attempts };
  }
}

function outcomeOf(result: DeliveryResult): DeliveryOutcome {
  if (result.kind === 'completed') return result.outcome.kind === 'skipped' ? 'skipped' : 'processed';
  return result.kind === 'abandoned' ? 'abandoned' : 'dead-letter';
}
