// What a batch handler sees and returns. A batch is the records of one topic-partition that one fetch brought, in
// offset order. The handler decides per record: anything it does not reject is done; rejected records go to the
// dead-letter topic with the reason. Throwing means "not now" (a dependency is down): nothing is committed and the
// same batch comes again after a backoff.
import { type DeadLetterReason, type InboundRecord } from '../dead-letter';

/** A record of a catalogue topic, decoded from Avro and checked by the contract. */
export interface EventRecord<P> extends InboundRecord {
  readonly payload: P;
  readonly schemaId: number;
}

export interface BatchContext {
  /** 1 on the first offer of this batch; a batch is offered again after a failed attempt. */
  readonly attempt: number;
  /** Aborted when the attempt times out; long work should stop early (it will be offered again). */
  readonly signal: AbortSignal;
}

export interface BatchRejection {
  readonly record: InboundRecord;
  readonly reason: DeadLetterReason;
  /** Human detail for `dlq-error`: what is wrong with the record, never its content. */
  readonly error: string;
  /** The writer schema id, when known (`dlq-schema-id`); taken from an EventRecord when absent. */
  readonly schemaId?: number;
}

export interface BatchResult {
  /** Records to dead-letter; every other record of the batch counts as handled. */
  readonly rejected: readonly BatchRejection[];
}

export type BatchHandler<R> = (records: readonly R[], context: BatchContext) => Promise<BatchResult>;

export type BatchConsumerState =
  | 'idle'
  | 'starting'
  /** Connected and subscribed, waiting for the group to assign partitions. */
  | 'joining'
  | 'running'
  /** A batch failed and is waiting for its next attempt; `lastError` says why. */
  | 'retrying'
  | 'stopping'
  | 'stopped'
  /** kafkajs gave up (a non-retriable crash); the consumer must be started again. */
  | 'crashed';

export interface BatchConsumerStatus {
  readonly state: BatchConsumerState;
  /** Consecutive failed attempts of the batch in hand (0 when the last attempt succeeded). */
  readonly failedAttempts: number;
  readonly lastError: string | null;
}
