import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBatchHeader, splitProducedBatches } from '../protocol/record-batch';
import { FilePartitionLog, LOG_START_FILE, segmentFileName } from './file-partition-log';
import { makeBatch } from './test-batches';

describe('FilePartitionLog', () => {
  let root: string;
  let dir: string;
  let messages: string[];
  const open = (extra: { segmentBytes?: number; fsync?: boolean } = {}): FilePartitionLog =>
    new FilePartitionLog(dir, {
      fsync: extra.fsync ?? false,
      segmentBytes: extra.segmentBytes,
      log: (m) => messages.push(m),
    });
  const segment = (base: number): string => path.join(dir, segmentFileName(base));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'file-partition-log-'));
    dir = path.join(root, 'orders-0');
    messages = [];
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('builds batches a broker accepts (test helper sanity)', () => {
    const batch = makeBatch({ records: 3 });
    expect(splitProducedBatches(batch, { verifyCrc: true })).toHaveLength(1);
  });

  it('appends and reads back with offsets, rolling segments', () => {
    const one = makeBatch({ records: 1 }).length;
    const log = open({ segmentBytes: 2 * one + 10 });
    const stored = [1, 1, 1, 1, 1].map((n, i) => log.append(makeBatch({ records: n, timestamp: 1000 * (i + 1) })));
    expect(stored.map((s) => s.baseOffset)).toEqual([0, 1, 2, 3, 4]);
    expect(log.highWatermark).toBe(5);
    expect(log.segmentFiles()).toEqual([segment(0), segment(2), segment(4)]);
    expect(fs.statSync(segment(0)).size).toBe(2 * one);
    expect(fs.statSync(segment(4)).size).toBe(one);
    // The bytes on disk are the batch bytes, baseOffset rewritten.
    expect(fs.readFileSync(segment(2))).toEqual(Buffer.concat([stored[2]!.bytes, stored[3]!.bytes]));
    expect(readBatchHeader(fs.readFileSync(segment(2))).baseOffset).toBe(2);

    expect(log.read(3, 1).map((b) => readBatchHeader(b).baseOffset)).toEqual([3]); // at least one batch
    expect(log.read(1, 1_000_000).map((b) => readBatchHeader(b).baseOffset)).toEqual([1, 2, 3, 4]);
    expect(log.offsetForTimestamp(3000)).toBe(2);
    log.close();
  });

  it('assigns offsets per record across multi-record batches', () => {
    const log = open();
    expect(log.append(makeBatch({ records: 3 })).lastOffset).toBe(2);
    expect(log.append(makeBatch({ records: 2 })).baseOffset).toBe(3);
    expect(log.highWatermark).toBe(5);
    log.close();
  });

  it('recovers every batch after reopen and continues at the right offset', () => {
    const one = makeBatch({ records: 2 }).length;
    let log = open({ segmentBytes: 3 * one });
    for (let i = 0; i < 7; i++) {
      log.append(makeBatch({ records: 2, producerId: 42, producerEpoch: 1, baseSequence: 2 * i }));
    }
    const before = [...log.batches()].map((b) => ({ ...b, bytes: Buffer.from(b.bytes) }));
    log.close();

    log = open({ segmentBytes: 3 * one });
    expect(messages).toEqual([]);
    expect(log.highWatermark).toBe(14);
    expect(log.logStartOffset).toBe(0);
    const after = [...log.batches()];
    expect(after).toEqual(before);
    expect(after.map((b) => [b.producerId, b.producerEpoch, b.baseSequence])).toEqual(
      before.map((_, i) => [42, 1, 2 * i]),
    );
    expect(log.append(makeBatch({ records: 1 })).baseOffset).toBe(14);
    log.close();

    log = open({ segmentBytes: 3 * one });
    expect(log.highWatermark).toBe(15);
    expect(log.segmentFiles()).toEqual([segment(0), segment(6), segment(12)]);
    log.close();
  });

  it('works with fsync always', () => {
    let log = open({ fsync: true, segmentBytes: 1 });
    log.append(makeBatch());
    log.append(makeBatch());
    log.deleteRecordsBefore(1);
    log.close();
    log = open({ fsync: true });
    expect(log.logStartOffset).toBe(1);
    expect(log.highWatermark).toBe(2);
    log.close();
  });

  it('truncates a torn tail of garbage and appends cleanly after it', () => {
    let log = open();
    for (let i = 0; i < 3; i++) log.append(makeBatch({ records: 2 }));
    log.close();
    const good = fs.statSync(segment(0)).size;
    // Half a batch: a plausible header whose length runs past the end of the file.
    const half = makeBatch({ records: 4 }).subarray(0, 40);
    fs.appendFileSync(segment(0), half);

    log = open();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(segment(0));
    expect(messages[0]).toContain(`byte ${good}`);
    expect(messages[0]).toContain('40 bytes left');
    expect(fs.statSync(segment(0)).size).toBe(good);
    expect(log.highWatermark).toBe(6);
    expect(log.append(makeBatch()).baseOffset).toBe(6);
    log.close();

    messages = [];
    log = open();
    expect(messages).toEqual([]);
    expect([...log.batches()].map((b) => b.baseOffset)).toEqual([0, 2, 4, 6]);
    log.close();
  });

  it('truncates a batch cut off mid-way (file truncated)', () => {
    let log = open();
    const sizes = [1, 2, 3].map((n) => log.append(makeBatch({ records: n })).bytes.length);
    log.close();
    const full = sizes[0]! + sizes[1]! + sizes[2]!;
    fs.truncateSync(segment(0), full - 7);

    log = open();
    expect(messages[0]).toMatch(/torn write/);
    expect(messages[0]).toContain(`byte ${sizes[0]! + sizes[1]!}`);
    expect(fs.statSync(segment(0)).size).toBe(sizes[0]! + sizes[1]!);
    expect([...log.batches()].map((b) => b.baseOffset)).toEqual([0, 1]);
    expect(log.append(makeBatch()).baseOffset).toBe(3);
    log.close();
  });

  it('truncates a last batch whose CRC does not match', () => {
    let log = open();
    log.append(makeBatch());
    const last = log.append(makeBatch({ records: 2 }));
    log.close();
    const buf = fs.readFileSync(segment(0));
    buf[buf.length - 3] = buf[buf.length - 3]! ^ 0xff; // inside the last record's value
    fs.writeFileSync(segment(0), buf);

    log = open();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('CRC-32C mismatch');
    expect(messages[0]).toContain(`byte ${buf.length - last.bytes.length}`);
    expect(log.highWatermark).toBe(1);
    expect(fs.statSync(segment(0)).size).toBe(buf.length - last.bytes.length);
    log.close();
  });

  it('drops every segment after a corrupt one', () => {
    const one = makeBatch().length;
    let log = open({ segmentBytes: 2 * one });
    for (let i = 0; i < 6; i++) log.append(makeBatch());
    log.close();
    expect(fs.readdirSync(dir).sort()).toEqual([segmentFileName(0), segmentFileName(2), segmentFileName(4)]);
    // Corrupt the second batch of the middle segment (a wrong magic byte).
    const fd = fs.openSync(segment(2), 'r+');
    fs.writeSync(fd, Buffer.from([1]), 0, 1, one + 16);
    fs.closeSync(fd);

    log = open({ segmentBytes: 2 * one });
    expect(messages[0]).toContain(`${segment(2)}: truncating at byte ${one}: magic 1, expected 2`);
    expect(messages[1]).toContain(`${segment(4)}: deleted`);
    expect(fs.existsSync(segment(4))).toBe(false);
    expect(log.highWatermark).toBe(3);
    expect(log.append(makeBatch()).baseOffset).toBe(3);
    log.close();
  });

  it('stops at non-contiguous offsets inside a segment', () => {
    let log = open();
    log.append(makeBatch());
    log.close();
    // A second batch claiming offset 5: valid CRC (baseOffset lies outside it) but out of sequence.
    const stray = makeBatch();
    stray.writeBigInt64BE(5n, 0);
    fs.appendFileSync(segment(0), stray);

    log = open();
    expect(messages[0]).toContain('baseOffset 5, expected 1');
    expect(log.highWatermark).toBe(1);
    log.close();
  });

  it('removes an empty segment left by a crash right after a roll', () => {
    let log = open();
    log.append(makeBatch());
    log.close();
    fs.writeFileSync(segment(1), '');

    log = open();
    expect(fs.existsSync(segment(1))).toBe(false);
    expect(log.append(makeBatch()).baseOffset).toBe(1);
    expect(log.segmentFiles()).toEqual([segment(0)]);
    log.close();
  });

  it('keeps deleteRecordsBefore across reopen and removes dead segments', () => {
    const one = makeBatch().length;
    let log = open({ segmentBytes: 2 * one });
    for (let i = 0; i < 6; i++) log.append(makeBatch({ timestamp: 100 * i }));
    log.deleteRecordsBefore(3);
    expect(log.logStartOffset).toBe(3);
    expect(fs.existsSync(segment(0))).toBe(false); // offsets 0-1, all dead
    expect(fs.existsSync(segment(2))).toBe(true); // still holds offset 3
    expect(log.read(0, 1_000_000).map((b) => readBatchHeader(b).baseOffset)).toEqual([3, 4, 5]);
    log.close();

    log = open({ segmentBytes: 2 * one });
    expect(log.logStartOffset).toBe(3);
    expect(log.highWatermark).toBe(6);
    expect([...log.batches()].map((b) => b.baseOffset)).toEqual([3, 4, 5]);
    expect(log.offsetForTimestamp(0)).toBe(3);
    log.deleteRecordsBefore(100); // capped at the high watermark
    expect(log.logStartOffset).toBe(6);
    expect(log.segmentFiles()).toEqual([segment(4)]); // the active segment stays
    log.close();

    log = open({ segmentBytes: 2 * one });
    expect(log.logStartOffset).toBe(6);
    expect(log.highWatermark).toBe(6);
    expect([...log.batches()]).toEqual([]);
    expect(log.append(makeBatch()).baseOffset).toBe(6);
    log.close();
  });

  it('starts a new segment when the log start lies past the recovered data', () => {
    let log = open();
    log.append(makeBatch());
    log.close();
    fs.writeFileSync(path.join(dir, LOG_START_FILE), '10\n');

    log = open();
    expect(log.logStartOffset).toBe(10);
    expect(log.highWatermark).toBe(10);
    expect(log.append(makeBatch()).baseOffset).toBe(10);
    expect(log.segmentFiles()).toEqual([segment(0), segment(10)]);
    log.close();

    log = open();
    expect(messages).toEqual([]);
    expect([...log.batches()].map((b) => b.baseOffset)).toEqual([10]);
    expect(log.highWatermark).toBe(11);
    log.close();
  });

  it('rejects a malformed log-start-offset file', () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, LOG_START_FILE), 'twelve');
    expect(() => open()).toThrow(`${path.join(dir, LOG_START_FILE)}: expected a non-negative integer offset`);
  });

  it('rejects a batch whose length field is wrong instead of persisting it', () => {
    const log = open();
    const batch = makeBatch();
    expect(() => log.append(Buffer.concat([batch, Buffer.alloc(3)]))).toThrow(/length field/);
    expect(log.highWatermark).toBe(0);
    log.close();
  });

  it('close is idempotent and further appends throw; destroy removes the directory', () => {
    const onClose = jest.fn();
    const log = new FilePartitionLog(dir, { fsync: false, onClose });
    log.append(makeBatch());
    log.close();
    log.close();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(() => log.append(makeBatch())).toThrow(/closed/);
    expect(log.read(0, 100)).toHaveLength(1); // reads are served from memory

    const again = open();
    again.destroy();
    expect(fs.existsSync(dir)).toBe(false);
    expect([...again.batches()]).toEqual([]);
  });
});
