// CRC-32C (Castagnoli), the checksum of a RecordBatch v2 from `attributes` (byte 21) to the end.
// @node-rs/crc32 uses the CPU's CRC32 instructions: checking every produced batch costs next to nothing.
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  return nativeCrc32c(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;
}
