// The LogStore port: production LLM calls, appended idempotently by a stable id and read back per workload.
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type StoreLifecycle } from '../boot';
import { type TimeInput } from './time';

/**
 * A record to append. `id` must be stable across redelivery: the producer's id (log_id, else event_id), else
 * `topic-partition-offset` (see logRecordId). `record.timestamp` is epoch millis, as in the catalogue; extra
 * top-level fields a producer added are kept as they are.
 */
export interface LogRecordInput {
  readonly id: string;
  readonly record: LlmCallLoggedV1;
  /** Where the record came from, e.g. 'kafka:flywheel.log.llm-call-logged.v1:0:42', 'http', 'file:calls.jsonl'. */
  readonly source: string;
}

/** A stored record: the catalogue payload plus ingestion metadata. */
export interface StoredLogRecord {
  readonly id: string;
  readonly record: LlmCallLoggedV1;
  readonly source: string;
  /** When the store first accepted the record (epoch millis); a redelivery does not change it. */
  readonly ingested_at: number;
}

export interface AppendResult {
  /** Records new to the store. */
  readonly inserted: number;
  /** Records whose id was already stored (or repeated within the batch): left as first written. */
  readonly duplicates: number;
}

/** Records of one workload (and client), newest first; `from` is inclusive, `to` exclusive. */
export interface LogFilter {
  readonly workloadId: string;
  readonly clientId?: string;
  readonly from?: TimeInput;
  readonly to?: TimeInput;
}

export interface LogQuery extends LogFilter {
  readonly limit: number;
}

export interface LogStreamOptions {
  /** Records fetched per round trip; memory use is bounded by one page. Default 500. */
  readonly pageSize?: number;
}

export interface WorkloadCount {
  readonly workload_id: string;
  readonly count: number;
}

export interface LogStore extends StoreLifecycle {
  /** Appends a batch atomically where the backend allows; re-appending an id is a no-op counted as duplicate. */
  append(batch: readonly LogRecordInput[]): Promise<AppendResult>;
  /** Newest first (timestamp desc, then id desc), at most `limit` records. */
  query(query: LogQuery): Promise<StoredLogRecord[]>;
  /** Every matching record, newest first, fetched page by page (keyset / search_after). */
  stream(filter: LogFilter, options?: LogStreamOptions): AsyncIterable<StoredLogRecord>;
  /** Stored records per workload, ordered by workload id. */
  countByWorkload(filter?: { readonly clientId?: string }): Promise<WorkloadCount[]>;
}

export const DEFAULT_STREAM_PAGE_SIZE = 500;

/** The stable id of a record: the producer's own id when it sent one, else its place in the topic. */
export function logRecordId(
  record: Pick<LlmCallLoggedV1, 'log_id' | 'event_id'> | null,
  position?: { readonly topic: string; readonly partition: number; readonly offset: string | number },
): string {
  if (record?.log_id) return record.log_id;
  if (record?.event_id) return record.event_id;
  if (position) return `${position.topic}-${position.partition}-${position.offset}`;
  throw new RangeError('a log record needs a producer id or a topic position');
}

/** Rejects records the indexes cannot hold; everything else about the payload is the ingester's business. */
export function checkLogRecord(input: LogRecordInput): void {
  const r = input.record as Partial<LlmCallLoggedV1> | null;
  if (typeof input.id !== 'string' || input.id.length === 0)
    throw new RangeError('record id must be a non-empty string');
  if (!r || typeof r !== 'object') throw new RangeError(`record '${input.id}' is not an object`);
  if (typeof r.workload_id !== 'string' || r.workload_id.length === 0) {
    throw new RangeError(`record '${input.id}' has no workload_id`);
  }
  if (typeof r.client_id !== 'string' || r.client_id.length === 0) {
    throw new RangeError(`record '${input.id}' has no client_id`);
  }
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) {
    throw new RangeError(`record '${input.id}' has no numeric timestamp (epoch millis)`);
  }
}

export function checkLimit(n: number, what = 'limit'): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  return n;
}
