// The writer against a real SQLite store (in memory), wrapped to observe appends and inject failures and delays.
import { testing, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { ServiceMetrics } from '@flywheel/service-kit';
import { SqliteLogStore, StoreError, type AppendResult, type LogRecordInput, type LogStore } from '@flywheel/stores';
import { IngesterMetrics } from '../metrics/ingester-metrics';
import { type IngestEntry } from '../records/ingest-entry';
import { type AppendedGroup, BatchWriter, WriterClosedError, type WriterOptions } from './batch-writer';

const sample = testing.sampleEvents[Topics.llmCallLoggedV1];

function entry(n: number, workload = 'w1', bytes = 100): IngestEntry {
  const record: LlmCallLoggedV1 = { ...sample, workload_id: workload, client_id: `c${n % 2}`, timestamp: 1000 + n };
  return { id: `id-${n}`, record, source: 'http', kind: 'http', bytes };
}

/** A real store whose append can be delayed or made to fail. */
class ObservedStore {
  public readonly appends: string[][] = [];
  public failNext: Error[] = [];
  public gate: Promise<void> | undefined;
  public invalidIds = new Set<string>();

  public constructor(public readonly inner: SqliteLogStore) {}

  public asStore(): LogStore {
    const inner = this.inner;
    return {
      backend: 'sqlite',
      connect: () => inner.connect(),
      health: () => inner.health(),
      close: () => inner.close(),
      append: (batch) => this.append(batch),
      query: (q) => inner.query(q),
      stream: (f) => inner.stream(f),
      countByWorkload: (f) => inner.countByWorkload(f),
    };
  }

  private async append(batch: readonly LogRecordInput[]): Promise<AppendResult> {
    this.appends.push(batch.map((b) => b.id));
    if (this.gate) await this.gate;
    const failure = this.failNext.shift();
    if (failure !== undefined) throw failure;
    const bad = batch.find((b) => this.invalidIds.has(b.id));
    if (bad) throw new StoreError('append', 'sqlite', 'invalid', `record '${bad.id}' is broken`);
    return this.inner.append(batch);
  }
}

async function setup(options: Partial<WriterOptions> = {}) {
  const inner = new SqliteLogStore({ path: ':memory:' });
  await inner.connect();
  const store = new ObservedStore(inner);
  const groups: AppendedGroup[] = [];
  const metrics = new IngesterMetrics(new ServiceMetrics({ serviceName: 'test', defaultMetrics: false }));
  const writer = new BatchWriter(
    store.asStore(),
    { maxRecords: 4, maxBytes: 1_000_000, lingerMs: 20, bufferMaxBytes: 1_000_000, ...options },
    metrics,
    (g) => groups.push(g),
  );
  const count = async (): Promise<number> => (await inner.countByWorkload()).reduce((sum, c) => sum + c.count, 0);
  return { writer, store, groups, count };
}

const never = new Promise<void>(() => undefined);

describe('BatchWriter', () => {
  it('should write a flushed batch at once, in appends of at most maxRecords, per workload', async () => {
    const { writer, store, groups, count } = await setup();
    const entries = [entry(1), entry(2, 'w2'), entry(3), entry(4), entry(5), entry(6, 'w2')];
    expect(await writer.write(entries, { flush: true })).toEqual({ rejected: [] });
    expect(store.appends).toEqual([['id-1', 'id-3', 'id-4'], ['id-2'], ['id-5'], ['id-6']]);
    expect(await count()).toBe(6);
    expect(groups.map((g) => [g.workloadId, g.inserted, [...g.clientIds].sort(), g.newestTimestamp])).toEqual([
      ['w1', 3, ['c0', 'c1'], 1004],
      ['w2', 1, ['c0'], 1002],
      ['w1', 1, ['c1'], 1005],
      ['w2', 1, ['c0'], 1006],
    ]);
  });

  it('should let small writes linger and share one append', async () => {
    const { writer, store } = await setup({ lingerMs: 30 });
    await Promise.all([writer.write([entry(1)]), writer.write([entry(2)]), writer.write([entry(3)])]);
    expect(store.appends).toEqual([['id-1', 'id-2', 'id-3']]);
  });

  it('should write as soon as a batch is full, without waiting for the linger', async () => {
    const { writer, store } = await setup({ lingerMs: 60_000, maxRecords: 2 });
    await writer.write([entry(1), entry(2)]);
    expect(store.appends).toEqual([['id-1', 'id-2']]);
  });

  it('should count a redelivered record as a duplicate, not as ingested', async () => {
    const { writer, groups } = await setup();
    await writer.write([entry(1), entry(2)], { flush: true });
    await writer.write([entry(2), entry(3)], { flush: true });
    expect(groups.map((g) => [g.inserted, g.duplicates])).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });

  it('should reject the writers of a failed append, so they retry, and carry on with the next', async () => {
    const { writer, store, count } = await setup();
    store.failNext = [new StoreError('append', 'sqlite', 'unavailable', 'disk gone')];
    await expect(writer.write([entry(1), entry(2)], { flush: true })).rejects.toThrow(/disk gone/);
    await writer.write([entry(1), entry(2)], { flush: true });
    expect(await count()).toBe(2);
  });

  it('should refuse only the records the store calls invalid and store the rest', async () => {
    const { writer, store, count } = await setup();
    store.invalidIds.add('id-2');
    const result = await writer.write([entry(1), entry(2), entry(3)], { flush: true });
    expect(result.rejected).toEqual([
      { index: 1, error: expect.stringMatching(/refused the record: .*'id-2' is broken/) as unknown },
    ]);
    expect(await count()).toBe(2);
  });

  it('should make writers wait while the buffer is full (backpressure), and admit them as it drains', async () => {
    const { writer, store } = await setup({ bufferMaxBytes: 250, lingerMs: 0 });
    let release: () => void = () => undefined;
    store.gate = new Promise((r) => (release = r));
    const first = writer.write([entry(1), entry(2)], { flush: true }); // 200 bytes, append stuck
    let secondDone = false;
    const second = writer.write([entry(3)], { flush: true }).then(() => (secondDone = true)); // 100 more: over 250
    await new Promise((r) => setTimeout(r, 30));
    expect(writer.buffered).toEqual({ records: 2, bytes: 200 });
    expect(secondDone).toBe(false);
    store.gate = undefined;
    release();
    await Promise.all([first, second]);
    expect(store.appends).toEqual([['id-1', 'id-2'], ['id-3']]);
    expect(writer.buffered).toEqual({ records: 0, bytes: 0 });
  });

  it('should admit one write larger than the whole buffer when nothing else is buffered', async () => {
    const { writer, count } = await setup({ bufferMaxBytes: 50 });
    await writer.write([entry(1), entry(2)], { flush: true });
    expect(await count()).toBe(2);
  });

  it('should write what is queued on close and refuse later writes', async () => {
    const { writer, count } = await setup({ lingerMs: 60_000 });
    const pending = writer.write([entry(1)]);
    await writer.close();
    await pending;
    expect(await count()).toBe(1);
    await expect(writer.write([entry(2)])).rejects.toBeInstanceOf(WriterClosedError);
  });

  it('should finish close even when the store fails, rejecting what could not be written', async () => {
    const { writer, store } = await setup({ lingerMs: 60_000 });
    store.gate = never;
    const pending = writer.write([entry(1)]);
    store.gate = undefined;
    store.failNext = [new StoreError('append', 'sqlite', 'unavailable', 'down')];
    await writer.close();
    await expect(pending).rejects.toThrow(/down/);
  });
});
