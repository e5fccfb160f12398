// One partition's log: an ordered list of RecordBatch v2 blobs. The log owns offsets: append() writes
// the assigned baseOffset into the batch. Implementations: in-memory (tests) and segment files (durable).
import { readBatchHeader } from '../protocol/record-batch';

export interface StoredBatch {
  baseOffset: number;
  /** baseOffset + lastOffsetDelta */
  lastOffset: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** The whole batch, baseOffset already rewritten. */
  bytes: Buffer;
}

export interface PartitionLog {
  /** First offset still readable (advanced by deleteRecordsBefore). */
  readonly logStartOffset: number;
  /** Next offset to be assigned; also the high watermark (single replica). */
  readonly highWatermark: number;
  /** Appends one batch, assigning it the next offset; returns the stored batch. */
  append(batch: Buffer): StoredBatch;
  /**
   * Batches from the first one whose lastOffset >= fetchOffset, up to maxBytes, but always at least
   * one whole batch when any is available (KIP-74).
   */
  read(fetchOffset: number, maxBytes: number): Buffer[];
  /** The earliest offset whose batch maxTimestamp >= timestamp, or null when none is. */
  offsetForTimestamp(timestamp: number): number | null;
  /** Makes offsets below `offset` unreadable (DeleteRecords). */
  deleteRecordsBefore(offset: number): void;
  /** Every stored batch, oldest first (recovery of producer state). */
  batches(): Iterable<StoredBatch>;
  /** Flushes and releases files. */
  close(): void;
  /** Removes the log and its files (topic deletion). */
  destroy(): void;
}

export function toStoredBatch(bytes: Buffer): StoredBatch {
  const h = readBatchHeader(bytes);
  return {
    baseOffset: h.baseOffset,
    lastOffset: h.baseOffset + h.lastOffsetDelta,
    maxTimestamp: h.maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    bytes,
  };
}

/** Index of the first batch whose lastOffset >= offset (binary search), or batches.length. */
export function firstBatchEndingAtOrAfter(batches: readonly StoredBatch[], offset: number): number {
  let lo = 0;
  let hi = batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
