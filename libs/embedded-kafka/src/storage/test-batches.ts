// Test helper: encodes minimal but well-formed RecordBatch v2 blobs (correct lengths and CRC-32C),
// as a producer would send them. Storage only inspects the header; the records are there for realism.
import { crc32c } from '../protocol/crc32c';

export interface TestBatchOptions {
  records?: number;
  timestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Bytes of value per record (default 8). */
  valueBytes?: number;
}

function zigzagVarint(n: number): Buffer {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

export function makeBatch(opts: TestBatchOptions = {}): Buffer {
  const count = opts.records ?? 1;
  const timestamp = opts.timestamp ?? 1_700_000_000_000;
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(opts.valueBytes ?? 8, 0x61 + (i % 26));
    const body = Buffer.concat([
      Buffer.from([0]), // attributes
      zigzagVarint(i), // timestampDelta
      zigzagVarint(i), // offsetDelta
      zigzagVarint(-1), // null key
      zigzagVarint(value.length),
      value,
      zigzagVarint(0), // no headers
    ]);
    records.push(zigzagVarint(body.length), body);
  }
  const recordBytes = Buffer.concat(records);
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(0n, 0); // baseOffset: the log assigns it
  header.writeInt32BE(61 - 12 + recordBytes.length, 8);
  header.writeInt32BE(-1, 12); // partitionLeaderEpoch
  header.writeInt8(2, 16); // magic
  header.writeInt16BE(0, 21); // attributes
  header.writeInt32BE(count - 1, 23); // lastOffsetDelta
  header.writeBigInt64BE(BigInt(timestamp), 27); // firstTimestamp
  header.writeBigInt64BE(BigInt(timestamp + count - 1), 35); // maxTimestamp
  header.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  header.writeInt16BE(opts.producerEpoch ?? -1, 51);
  header.writeInt32BE(opts.baseSequence ?? -1, 53);
  header.writeInt32BE(count, 57);
  const batch = Buffer.concat([header, recordBytes]);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}
