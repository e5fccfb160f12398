// Batches store writes for every source. Callers hand over records and get a promise that settles once all of them
// are durable in the store (or the store failed). Records wait until one of:
//   - the queue holds a full batch (maxRecords or maxBytes),
//   - a caller asked for a flush (the Kafka intake: a fetch is already a batch, time-bounded by the fetch wait),
//   - the oldest waited lingerMs (HTTP requests share appends).
// One append runs at a time, per workload of the batch (so "logs ingested" counts are exact per workload). At most
// bufferMaxBytes are accepted and not yet durable; writers beyond that wait (backpressure), never an unbounded queue.
// A failed append rejects the callers whose records were in it; they retry (Kafka re-offers the batch, HTTP answers
// 503). The store's append is idempotent by record id, so a retry never doubles a record.
import { StoreError, type LogRecordInput, type LogStore } from '@flywheel/stores';
import { type IngesterMetrics } from '../metrics/ingester-metrics';
import { type IngestEntry } from '../records/ingest-entry';

export interface WriterOptions {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly lingerMs: number;
  readonly bufferMaxBytes: number;
}

/** What one append did for one workload; feeds the "logs ingested" events. */
export interface AppendedGroup {
  readonly workloadId: string;
  readonly inserted: number;
  readonly duplicates: number;
  readonly clientIds: ReadonlySet<string>;
  readonly newestTimestamp: number;
}

export interface WriteResult {
  /** Records the store refused as invalid (by index in the write); every other record is durable. */
  readonly rejected: readonly { readonly index: number; readonly error: string }[];
}

export class WriterClosedError extends Error {
  public constructor() {
    super('the log writer is closed (shutting down)');
    this.name = 'WriterClosedError';
  }
}

interface Ticket {
  remaining: number;
  settled: boolean;
  readonly rejected: { index: number; error: string }[];
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (err: unknown) => void;
}

interface Item {
  readonly entry: IngestEntry;
  readonly ticket: Ticket;
  readonly index: number;
}

export class BatchWriter {
  private queue: Item[] = [];
  private queuedBytes = 0;
  private bufferedBytes = 0;
  private bufferedRecords = 0;
  /** Records at the head of the queue that must be written without waiting for more. */
  private due = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly admissions: { bytes: number; admit: () => void; reject: (err: unknown) => void }[] = [];
  private closed = false;

  public constructor(
    private readonly store: LogStore,
    private readonly options: WriterOptions,
    private readonly metrics: IngesterMetrics,
    private readonly onAppended: (group: AppendedGroup) => void = () => undefined,
  ) {}

  public get buffered(): { readonly records: number; readonly bytes: number } {
    return { records: this.bufferedRecords, bytes: this.bufferedBytes };
  }

  /** Resolves when every entry is durable (or refused as invalid); rejects when the store failed. */
  public write(entries: readonly IngestEntry[], options: { flush?: boolean } = {}): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new WriterClosedError());
    if (entries.length === 0) return Promise.resolve({ rejected: [] });
    const bytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    // Admission and enqueueing happen synchronously, so concurrent writers cannot both slip under the bound.
    if (this.admissions.length === 0 && this.hasRoom(bytes)) return this.enqueue(entries, bytes, options);
    return new Promise<WriteResult>((resolve, reject) => {
      this.admissions.push({ bytes, admit: () => resolve(this.enqueue(entries, bytes, options)), reject });
    });
  }

  /** Writes what is queued, then refuses new writes. */
  public async close(): Promise<void> {
    this.closed = true;
    for (const waiting of this.admissions.splice(0)) waiting.reject(new WriterClosedError());
    this.due = this.queue.length;
    this.schedule();
    while (this.flushing !== undefined) await this.flushing;
  }

  private enqueue(entries: readonly IngestEntry[], bytes: number, options: { flush?: boolean }): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      const ticket: Ticket = { remaining: entries.length, settled: false, rejected: [], resolve, reject };
      entries.forEach((entry, index) => this.queue.push({ entry, ticket, index }));
      this.queuedBytes += bytes;
      this.bufferedBytes += bytes;
      this.bufferedRecords += entries.length;
      this.updateGauges();
      if (options.flush) this.due = this.queue.length;
      this.schedule();
    });
  }

  /** A write larger than the whole buffer is admitted alone, when nothing else is buffered. */
  private hasRoom(bytes: number): boolean {
    return this.bufferedBytes === 0 || this.bufferedBytes + bytes <= this.options.bufferMaxBytes;
  }

  private release(bytes: number, records: number): void {
    this.bufferedBytes -= bytes;
    this.bufferedRecords -= records;
    this.updateGauges();
    // In arrival order, as long as they fit.
    for (let next = this.admissions[0]; next !== undefined && this.hasRoom(next.bytes); next = this.admissions[0]) {
      this.admissions.shift();
      next.admit();
    }
  }

  private full(): boolean {
    return this.queue.length >= this.options.maxRecords || this.queuedBytes >= this.options.maxBytes;
  }

  private schedule(): void {
    if (this.flushing !== undefined || this.queue.length === 0) return;
    if (this.due > 0 || this.full()) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.due = this.queue.length;
        this.schedule();
      }, this.options.lingerMs);
    }
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0 && (this.due > 0 || this.full())) {
      const chunk = this.take();
      this.due = Math.max(0, this.due - chunk.length);
      const chunkBytes = chunk.reduce((sum, i) => sum + i.entry.bytes, 0);
      try {
        await this.appendChunk(chunk);
      } finally {
        this.release(chunkBytes, chunk.length);
      }
    }
  }

  private take(): Item[] {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && n < this.options.maxRecords) {
      const size = this.queue[n]?.entry.bytes ?? 0;
      if (n > 0 && bytes + size > this.options.maxBytes) break;
      bytes += size;
      n += 1;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, n);
  }

  private async appendChunk(chunk: Item[]): Promise<void> {
    const byWorkload = new Map<string, Item[]>();
    for (const item of chunk) {
      const key = item.entry.record.workload_id;
      const group = byWorkload.get(key);
      if (group === undefined) byWorkload.set(key, [item]);
      else group.push(item);
    }
    const done: Item[] = [];
    try {
      for (const [workloadId, items] of byWorkload) {
        await this.appendGroup(workloadId, items);
        done.push(...items);
      }
    } catch (err) {
      this.fail(chunk, err);
      return;
    }
    // One metric update per source and chunk, not per record (a labelled inc costs more than the rest of succeed).
    const stored = new Map<IngestEntry['kind'], number>();
    for (const item of done) {
      if (this.succeed(item)) stored.set(item.entry.kind, (stored.get(item.entry.kind) ?? 0) + 1);
    }
    for (const [source, n] of stored) this.metrics.stored.inc({ source }, n);
  }

  /** Throws only errors worth a retry; records the store calls invalid are refused one by one. */
  private async appendGroup(workloadId: string, items: Item[]): Promise<void> {
    try {
      this.report(workloadId, items, await this.timedAppend(items));
    } catch (err) {
      if (!(err instanceof StoreError) || err.kind !== 'invalid') throw err;
      // Pin down which records the store refuses, so they alone are rejected and the rest still stored.
      for (const item of items) {
        try {
          this.report(workloadId, [item], await this.timedAppend([item]));
        } catch (single) {
          if (!(single instanceof StoreError) || single.kind !== 'invalid') throw single;
          item.ticket.rejected.push({
            index: item.index,
            error: `the log store refused the record: ${single.message}`,
          });
        }
      }
    }
  }

  private async timedAppend(items: Item[]): Promise<{ inserted: number; duplicates: number }> {
    const started = process.hrtime.bigint();
    const input: LogRecordInput[] = items.map((i) => i.entry);
    let outcome = 'ok';
    try {
      return await this.store.append(input);
    } catch (err) {
      outcome = 'error';
      throw err;
    } finally {
      this.metrics.appendSeconds.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      this.metrics.appendRecords.observe(items.length);
    }
  }

  private report(workloadId: string, items: Item[], result: { inserted: number; duplicates: number }): void {
    const clientIds = new Set<string>();
    let newest = 0;
    for (const { entry } of items) {
      clientIds.add(entry.record.client_id);
      if (entry.record.timestamp > newest) newest = entry.record.timestamp;
    }
    if (result.inserted > 0) this.metrics.inserted.inc({ workload_id: workloadId }, result.inserted);
    if (result.duplicates > 0) this.metrics.duplicates.inc(result.duplicates);
    this.onAppended({ workloadId, ...result, clientIds, newestTimestamp: newest });
  }

  /** Settles the item's part of its ticket; true when the record is stored (not refused). */
  private succeed(item: Item): boolean {
    const { ticket } = item;
    const stored = ticket.rejected.length === 0 || !ticket.rejected.some((r) => r.index === item.index);
    ticket.remaining -= 1;
    if (ticket.remaining === 0 && !ticket.settled) {
      ticket.settled = true;
      ticket.resolve({ rejected: ticket.rejected.sort((a, b) => a.index - b.index) });
    }
    return stored;
  }

  private fail(chunk: Item[], err: unknown): void {
    const failed = new Set<Ticket>();
    for (const { ticket } of chunk) {
      if (ticket.settled) continue;
      ticket.settled = true;
      ticket.reject(err);
      failed.add(ticket);
    }
    // Their records still queued would only be written for nobody: drop them.
    const dropped = this.queue.filter((i) => failed.has(i.ticket));
    if (dropped.length > 0) {
      this.queue = this.queue.filter((i) => !failed.has(i.ticket));
      const bytes = dropped.reduce((sum, i) => sum + i.entry.bytes, 0);
      this.queuedBytes -= bytes;
      this.due = Math.min(this.due, this.queue.length);
      this.release(bytes, dropped.length);
    }
  }

  private updateGauges(): void {
    this.metrics.bufferedRecords.set(this.bufferedRecords);
    this.metrics.bufferedBytes.set(this.bufferedBytes);
  }
}
