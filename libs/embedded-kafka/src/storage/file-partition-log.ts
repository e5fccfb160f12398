// A partition log kept in segment files of raw RecordBatch v2 bytes (Kafka's own log format, without
// index files). Every batch also stays in memory (MemoryPartitionLog) so reads never touch the disk;
// the files exist to rebuild that list after a restart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../protocol/error-codes';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  InvalidBatchError,
  batchCrcValid,
  setBaseOffset,
} from '../protocol/record-batch';
import { fsyncDir, readFileIfExists, writeFileAtomic, writeFully } from './atomic-file';
import { MemoryPartitionLog } from './memory-partition-log';
import { type StoredBatch, firstBatchEndingAtOrAfter, toStoredBatch } from './partition-log';

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
export const LOG_START_FILE = 'log-start-offset';
const SEGMENT_FILE = /^(\d{20})\.log$/;

export interface FilePartitionLogOptions {
  /** fdatasync after every append (and fsync of metadata files and directories). */
  fsync: boolean;
  /** Roll to a new segment file once the active one would grow past this. */
  segmentBytes?: number;
  log?: (msg: string) => void;
  /** Called once when the log is closed or destroyed (FileStorage forgets it). */
  onClose?: () => void;
}

interface Segment {
  baseOffset: number;
  file: string;
  size: number;
  /** The offset the next batch written to this segment must carry. */
  nextOffset: number;
}

interface ScanResult {
  batches: StoredBatch[];
  /** Bytes of valid batches from the start of the file. */
  validBytes: number;
  /** Why scanning stopped before the end of the file, or null when every byte was valid. */
  invalid: string | null;
}

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export class FilePartitionLog extends MemoryPartitionLog {
  private readonly fsync: boolean;
  private readonly segmentBytes: number;
  private readonly log: (msg: string) => void;
  private readonly onClose: (() => void) | undefined;
  private readonly segments: Segment[] = [];
  /** Open fd of the last segment; opened on the first append so idle partitions hold no fd. */
  private fd: number | null = null;
  private closed = false;

  /** Opens (creating if needed) the log in `dir` and recovers it; see README.md for the rules. */
  public constructor(
    public readonly dir: string,
    opts: FilePartitionLogOptions,
  ) {
    super();
    this.fsync = opts.fsync;
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(this.segmentBytes) || this.segmentBytes < 1) {
      throw new Error(`segmentBytes must be a positive integer, got ${this.segmentBytes}`);
    }
    this.log = opts.log ?? ((msg) => console.warn(msg));
    this.onClose = opts.onClose;
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      if (this.fsync) fsyncDir(path.dirname(dir));
    }
    this.recover();
  }

  public override append(batch: Buffer): StoredBatch {
    this.assertOpen();
    // The broker validated the batch; re-check the framing anyway, since a batch whose length field
    // lies would make recovery truncate it and everything after it.
    if (batch.length < BATCH_HEADER_SIZE || batch.readInt32BE(8) + BATCH_LOG_OVERHEAD !== batch.length) {
      const msg = `record batch length field disagrees with its ${batch.length} bytes`;
      throw new InvalidBatchError(msg, ErrorCode.CORRUPT_MESSAGE);
    }
    if (batch.readInt8(16) !== 2 || batch.readInt32BE(23) < 0) {
      throw new InvalidBatchError(
        'not a RecordBatch v2 with a non-negative lastOffsetDelta',
        ErrorCode.CORRUPT_MESSAGE,
      );
    }
    setBaseOffset(batch, this.highWatermark);
    const stored = toStoredBatch(batch);
    this.writeToSegment(stored);
    this.adopt(stored);
    return stored;
  }

  public override deleteRecordsBefore(offset: number): void {
    this.assertOpen();
    const start = Math.min(offset, this.highWatermark);
    if (start <= this.logStartOffset) return;
    // Persist first: if the write fails, memory still matches the disk.
    writeFileAtomic(path.join(this.dir, LOG_START_FILE), `${start}\n`, this.fsync);
    super.deleteRecordsBefore(start);
    // Whole segments below the new start are dead; the active (last) one is never removed.
    let removed = false;
    while (this.segments.length > 1 && (this.segments[1] as Segment).baseOffset <= start) {
      fs.rmSync((this.segments.shift() as Segment).file, { force: true });
      removed = true;
    }
    if (removed && this.fsync) fsyncDir(this.dir);
  }

  /** Segment files, oldest first (for tests and diagnostics). */
  public segmentFiles(): string[] {
    return this.segments.map((s) => s.file);
  }

  public override close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      fs.closeSync(fd);
    }
    this.onClose?.();
  }

  public override destroy(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.fsync) fsyncDir(path.dirname(this.dir));
    this.segments.length = 0;
    super.destroy();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`partition log ${this.dir} is closed`);
  }

  private writeToSegment(stored: StoredBatch): void {
    let seg = this.segments[this.segments.length - 1];
    // A gap (log start moved past the data) needs a new segment: offsets inside one are contiguous.
    if (
      seg === undefined ||
      seg.nextOffset !== stored.baseOffset ||
      (seg.size > 0 && seg.size + stored.bytes.length > this.segmentBytes)
    ) {
      seg = this.roll(stored.baseOffset);
    }
    const fd = this.fd ?? (this.fd = fs.openSync(seg.file, 'r+'));
    try {
      writeFully(fd, stored.bytes, seg.size);
      if (this.fsync) fs.fdatasyncSync(fd);
    } catch (err) {
      // Cut off a partial write so the next append does not land behind garbage.
      try {
        fs.ftruncateSync(fd, seg.size);
      } catch {
        // Recovery on the next open truncates it instead.
      }
      throw err;
    }
    seg.size += stored.bytes.length;
    seg.nextOffset = stored.lastOffset + 1;
  }

  private roll(baseOffset: number): Segment {
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      fs.closeSync(fd);
    }
    const file = path.join(this.dir, segmentFileName(baseOffset));
    // Any file already at this name holds no valid data (recovery deleted empty segments), so 'w'.
    this.fd = fs.openSync(file, 'w');
    if (this.fsync) fsyncDir(this.dir);
    const seg: Segment = { baseOffset, file, size: 0, nextOffset: baseOffset };
    this.segments.push(seg);
    return seg;
  }

  private recover(): void {
    const savedStart = this.readLogStart();
    const names = fs
      .readdirSync(this.dir)
      .filter((n) => SEGMENT_FILE.test(n))
      .sort(); // zero-padded names sort numerically
    let next: number | null = null; // end of the data recovered so far
    let changedDir = false;
    for (let i = 0; i < names.length; i++) {
      const file = path.join(this.dir, names[i] as string);
      const baseOffset = Number((names[i] as string).slice(0, 20));
      let scan: ScanResult;
      if (next !== null && baseOffset < next) {
        scan = { batches: [], validBytes: 0, invalid: `segment starts at offset ${baseOffset}, below ${next}` };
      } else {
        if (next !== null && baseOffset > next && baseOffset > savedStart) {
          this.log(`${file}: offsets ${next}..${baseOffset - 1} are missing (a segment file was removed?)`);
        }
        scan = scanSegment(fs.readFileSync(file), baseOffset);
      }
      for (const b of scan.batches) this.adopt(b);
      if (scan.batches.length > 0) {
        const lastOffset = (scan.batches[scan.batches.length - 1] as StoredBatch).lastOffset;
        this.segments.push({ baseOffset, file, size: scan.validBytes, nextOffset: lastOffset + 1 });
        next = lastOffset + 1;
      }
      if (scan.invalid === null) {
        if (scan.validBytes === 0) {
          // An empty segment (crash right after a roll): drop it so names stay unique per base offset.
          fs.rmSync(file, { force: true });
          changedDir = true;
        }
        continue;
      }
      // Torn or corrupt: keep what came before, cut the rest, and drop every later segment.
      this.log(`${file}: truncating at byte ${scan.validBytes}: ${scan.invalid}`);
      if (scan.validBytes === 0) {
        fs.rmSync(file, { force: true });
        changedDir = true;
      } else {
        const fd = fs.openSync(file, 'r+');
        try {
          fs.ftruncateSync(fd, scan.validBytes);
          if (this.fsync) fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      }
      for (const later of names.slice(i + 1)) {
        const laterFile = path.join(this.dir, later);
        this.log(`${laterFile}: deleted, it follows the truncated segment ${file}`);
        fs.rmSync(laterFile, { force: true });
        changedDir = true;
      }
      break;
    }
    if (changedDir && this.fsync) fsyncDir(this.dir);

    // Segments removed by hand may leave the data starting above the saved log start.
    const first = this.stored[0];
    const start = first !== undefined ? Math.max(savedStart, first.baseOffset) : savedStart;
    this.setLogStart(start);
    this.stored.splice(0, firstBatchEndingAtOrAfter(this.stored, start));
  }

  private readLogStart(): number {
    const file = path.join(this.dir, LOG_START_FILE);
    const raw = readFileIfExists(file);
    if (raw === null) return 0;
    const text = raw.toString('utf8').trim();
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value)) {
      throw new Error(`${file}: expected a non-negative integer offset, found ${JSON.stringify(text.slice(0, 40))}`);
    }
    return value;
  }
}

/** Reads back-to-back batches, stopping at the first one that is torn, corrupt or out of sequence. */
function scanSegment(buf: Buffer, baseOffset: number): ScanResult {
  const batches: StoredBatch[] = [];
  let pos = 0;
  let expected = baseOffset;
  const stop = (invalid: string): ScanResult => ({ batches, validBytes: pos, invalid });
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < BATCH_HEADER_SIZE) return stop(`${left} bytes left, a batch header needs ${BATCH_HEADER_SIZE}`);
    const batchLength = buf.readInt32BE(pos + 8);
    const total = batchLength + BATCH_LOG_OVERHEAD;
    if (total < BATCH_HEADER_SIZE) return stop(`batchLength ${batchLength} is shorter than a batch header`);
    if (total > left) return stop(`batch of ${total} bytes, only ${left} left in the file (torn write)`);
    const magic = buf.readInt8(pos + 16);
    if (magic !== 2) return stop(`magic ${magic}, expected 2`);
    const bytes = buf.subarray(pos, pos + total);
    if (!batchCrcValid(bytes)) return stop('CRC-32C mismatch');
    const stored = toStoredBatch(bytes);
    if (stored.baseOffset !== expected) return stop(`baseOffset ${stored.baseOffset}, expected ${expected}`);
    if (stored.lastOffset < stored.baseOffset) return stop(`negative lastOffsetDelta`);
    batches.push(stored);
    expected = stored.lastOffset + 1;
    pos += total;
  }
  return { batches, validBytes: pos, invalid: null };
}
