import { setBaseOffset } from '../protocol/record-batch';
import { firstBatchEndingAtOrAfter, type PartitionLog, type StoredBatch, toStoredBatch } from './partition-log';

export class MemoryPartitionLog implements PartitionLog {
  protected readonly stored: StoredBatch[] = [];
  private start = 0;
  private next = 0;

  public get logStartOffset(): number {
    return this.start;
  }

  public get highWatermark(): number {
    return this.next;
  }

  /** Used by durable subclasses while recovering: adopt an already-offset batch. */
  protected adopt(batch: StoredBatch): void {
    this.stored.push(batch);
    this.next = batch.lastOffset + 1;
  }

  protected setLogStart(offset: number): void {
    this.start = offset;
    if (this.next < offset) this.next = offset;
  }

  public append(batch: Buffer): StoredBatch {
    setBaseOffset(batch, this.next);
    const stored = toStoredBatch(batch);
    this.stored.push(stored);
    this.next = stored.lastOffset + 1;
    return stored;
  }

  public read(fetchOffset: number, maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (
      let i = firstBatchEndingAtOrAfter(this.stored, Math.max(fetchOffset, this.start));
      i < this.stored.length;
      i++
    ) {
      const b = (this.stored[i] as StoredBatch).bytes;
      if (out.length > 0 && size + b.length > maxBytes) break;
      out.push(b);
      size += b.length;
    }
    return out;
  }

  public offsetForTimestamp(timestamp: number): number | null {
    for (const b of this.stored) {
      if (b.lastOffset < this.start) continue;
      if (b.maxTimestamp >= timestamp) return Math.max(b.baseOffset, this.start);
    }
    return null;
  }

  public deleteRecordsBefore(offset: number): void {
    if (offset <= this.start) return;
    this.setLogStart(Math.min(offset, this.next));
    // Drop batches wholly below the new start.
    const keepFrom = firstBatchEndingAtOrAfter(this.stored, this.start);
    this.stored.splice(0, keepFrom);
  }

  public batches(): Iterable<StoredBatch> {
    return this.stored;
  }

  public close(): void {}

  public destroy(): void {
    this.stored.length = 0;
  }
}
