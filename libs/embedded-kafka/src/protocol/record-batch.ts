// RecordBatch v2 (magic 2): the broker reads the 61-byte header, validates it, and rewrites only
// baseOffset (bytes 0-7) and partitionLeaderEpoch (12-15). Both lie outside the CRC (bytes 21..end),
// so batches are stored and served byte for byte, compressed or not.
import { crc32c } from './crc32c';

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes before `batchLength` counts. */
export const BATCH_LOG_OVERHEAD = 12;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export const BatchAttributes = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(at)),
    batchLength: buf.readInt32BE(at + 8),
    partitionLeaderEpoch: buf.readInt32BE(at + 12),
    magic: buf.readInt8(at + 16),
    crc: buf.readUInt32BE(at + 17),
    attributes: buf.readInt16BE(at + 21),
    lastOffsetDelta: buf.readInt32BE(at + 23),
    firstTimestamp: Number(buf.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
    producerId: Number(buf.readBigInt64BE(at + 43)),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    recordCount: buf.readInt32BE(at + 57),
  };
}

export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
}

export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, 12);
}

/** The CRC stored in a batch matches its bytes from `attributes` to the end. */
export function batchCrcValid(batch: Buffer): boolean {
  return batch.readUInt32BE(17) === crc32c(batch, 21, batch.length);
}

export class InvalidBatchError extends Error {
  public constructor(
    message: string,
    /** Kafka error code to answer with. */
    public readonly errorCode: number,
  ) {
    super(message);
    this.name = 'InvalidBatchError';
  }
}

/**
 * Splits a Produce `records` blob into whole v2 batches and validates each one as a client-sent batch:
 * magic 2, consistent length, CRC, record count, no control batches. Throws InvalidBatchError.
 */
export function splitProducedBatches(records: Buffer, opts: { verifyCrc: boolean }): Buffer[] {
  const batches: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < BATCH_HEADER_SIZE) {
      throw new InvalidBatchError(`record batch truncated: ${records.length - at} bytes left, header needs 61`, 2);
    }
    const magic = records.readInt8(at + 16);
    if (magic !== 2) {
      throw new InvalidBatchError(`unsupported message format (magic ${magic}); only RecordBatch v2 is accepted`, 43);
    }
    const total = records.readInt32BE(at + 8) + BATCH_LOG_OVERHEAD;
    if (total < BATCH_HEADER_SIZE || at + total > records.length) {
      throw new InvalidBatchError(`record batch length ${total} does not fit the ${records.length - at} bytes sent`, 2);
    }
    // The log keeps the batch for good: copy it out when it is a small part of a larger socket buffer, so a
    // tiny batch does not pin a whole read chunk in memory. Large batches are kept in place (no copy).
    const view = records.subarray(at, at + total);
    const batch = view.length * 2 < view.buffer.byteLength ? Buffer.from(view) : view;
    const h = readBatchHeader(batch);
    if (opts.verifyCrc && !batchCrcValid(batch)) throw new InvalidBatchError('record batch CRC mismatch', 2);
    if (h.attributes & BatchAttributes.CONTROL) throw new InvalidBatchError('clients may not send control batches', 87);
    if (h.attributes & BatchAttributes.TRANSACTIONAL) {
      throw new InvalidBatchError('transactional batches are not supported by the embedded broker', 87);
    }
    if (h.recordCount < 1 || h.lastOffsetDelta !== h.recordCount - 1) {
      throw new InvalidBatchError(
        `record count ${h.recordCount} disagrees with lastOffsetDelta ${h.lastOffsetDelta}`,
        87,
      );
    }
    batches.push(batch);
    at += total;
  }
  return batches;
}
