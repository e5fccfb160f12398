// Dead letters: one topic per consumer group, `<groupId>.dlq`. A dead letter is the original record (value bytes
// and key untouched, original headers kept) plus `dlq-*` headers saying why, where from and when.
// WARNING: the topic name pattern and the header names are wire contracts that replay and triage tools rely on.
import { type RawHeaders } from './headers';

export const DLQ_SUFFIX = '.dlq';

export const DlqHeader = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  schemaId: 'dlq-schema-id',
  failedAt: 'dlq-failed-at',
  consumerGroup: 'dlq-consumer-group',
} as const;

/**
 * Machine-readable reasons (`dlq-reason`); `dlq-error` carries the human detail.
 * decode:* — the bytes never became a valid payload; the handler was not called.
 */
export type DeadLetterReason =
  | 'decode:magic'
  | 'decode:unknown-schema'
  | 'decode:corrupt'
  | 'decode:invalid-payload'
  | 'decode:too-large'
  | 'handler-dead-letter'
  | 'non-retriable-error'
  | 'retries-exhausted'
  | 'no-handler';

/** Longest `dlq-error` text kept; stack-sized messages would bloat every dead letter. */
const MAX_ERROR_CHARS = 2000;

export function dlqTopicFor(groupId: string): string {
  return `${groupId}${DLQ_SUFFIX}`;
}

/** The consumed record, as both transports describe it. */
export interface InboundRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
  readonly timestamp?: string;
}

export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly attempts: number;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
}

export interface DeadLetterInput {
  readonly groupId: string;
  readonly record: InboundRecord;
  readonly reason: DeadLetterReason;
  readonly error: string;
  /** Handler invocations made; 0 when the record could not be decoded. */
  readonly attempts: number;
  readonly schemaId?: number;
  readonly failedAt: Date;
}

export function buildDeadLetter(input: DeadLetterInput): DeadLetterRecord {
  const { record } = input;
  const error = input.error.length > MAX_ERROR_CHARS ? `${input.error.slice(0, MAX_ERROR_CHARS)}…` : input.error;
  const headers: RawHeaders = {};
  // Original headers first (trace context included), minus stale dlq-* ones from an earlier trip through a DLQ.
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined && !name.startsWith('dlq-')) headers[name] = value;
  }
  headers[DlqHeader.reason] = input.reason;
  headers[DlqHeader.error] = error;
  headers[DlqHeader.attempts] = String(input.attempts);
  headers[DlqHeader.sourceTopic] = record.topic;
  headers[DlqHeader.sourcePartition] = String(record.partition);
  headers[DlqHeader.sourceOffset] = record.offset;
  if (input.schemaId !== undefined) headers[DlqHeader.schemaId] = String(input.schemaId);
  headers[DlqHeader.failedAt] = input.failedAt.toISOString();
  headers[DlqHeader.consumerGroup] = input.groupId;
  return {
    topic: dlqTopicFor(input.groupId),
    key: record.key,
    value: record.value,
    headers,
    reason: input.reason,
    error,
    attempts: input.attempts,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
  };
}
