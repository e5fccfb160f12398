// The LogStore contract: every adapter passes the same cases. `factory` returns a fresh, unconnected store per test
// (its own file, index or database), so cases never see each other's records.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StoreError, type LogStore, type StoredLogRecord } from '../src';
import { input, T0, withUserText } from './log-records';

export function describeLogStoreContract(name: string, factory: () => LogStore | Promise<LogStore>): void {
  describe(`LogStore contract: ${name}`, () => {
    let store: LogStore;

    beforeEach(async () => {
      store = await factory();
      await store.connect();
      await store.connect(); // idempotent
    });

    afterEach(async () => {
      await store.close();
    });

    it('is ready after connect', async () => {
      const health = await store.health();
      expect(health).toMatchObject({ ready: true, state: 'ready', lastError: null });
    });

    it('appends idempotently: a redelivered id is stored once and counts do not change', async () => {
      expect(await store.append([input(1), input(2)])).toEqual({ inserted: 2, duplicates: 0 });
      const before = await store.countByWorkload();
      expect(await store.append([input(1, {}, 'redelivered'), input(3)])).toEqual({ inserted: 1, duplicates: 1 });
      expect(await store.append([input(4), input(4)])).toEqual({ inserted: 1, duplicates: 1 });
      expect(before).toEqual([{ workload_id: 'agent.tool_router', count: 2 }]);
      expect(await store.countByWorkload()).toEqual([{ workload_id: 'agent.tool_router', count: 4 }]);
      const stored = await store.query({ workloadId: 'agent.tool_router', limit: 10 });
      expect(stored.map((r) => r.id)).toEqual(['log-4', 'log-3', 'log-2', 'log-1']);
      // The first write wins: a redelivery does not overwrite the source or the ingestion time.
      expect(stored.find((r) => r.id === 'log-1')?.source).toBe('test');
    });

    it('returns the record as appended, with ingestion metadata', async () => {
      const appended = input(7);
      const before = Date.now();
      await store.append([appended]);
      const [stored] = await store.query({ workloadId: 'agent.tool_router', limit: 1 });
      expect(stored?.record).toEqual(appended.record);
      expect(stored?.source).toBe('test');
      expect(stored?.ingested_at).toBeGreaterThanOrEqual(before - 1000);
    });

    it('queries newest first, by workload and client, with a limit', async () => {
      await store.append([
        input(3),
        input(1),
        input(5),
        input(2, { client_id: 'other-client' }),
        input(4, { workload_id: 'other.workload' }),
      ]);
      const all = await store.query({ workloadId: 'agent.tool_router', limit: 10 });
      expect(all.map((r) => r.id)).toEqual(['log-5', 'log-3', 'log-2', 'log-1']);
      const client = await store.query({ workloadId: 'agent.tool_router', clientId: 'aiva-demo', limit: 10 });
      expect(client.map((r) => r.id)).toEqual(['log-5', 'log-3', 'log-1']);
      const limited = await store.query({ workloadId: 'agent.tool_router', clientId: 'aiva-demo', limit: 2 });
      expect(limited.map((r) => r.id)).toEqual(['log-5', 'log-3']);
      expect(await store.query({ workloadId: 'nobody', limit: 5 })).toEqual([]);
    });

    it('breaks timestamp ties by id, newest id first, so the order is stable', async () => {
      await store.append([input(1, { timestamp: T0 }), input(2, { timestamp: T0 }), input(3, { timestamp: T0 })]);
      const ids = (await store.query({ workloadId: 'agent.tool_router', limit: 10 })).map((r) => r.id);
      expect(ids).toEqual(['log-3', 'log-2', 'log-1']);
    });

    it('filters by a time range given as epoch seconds, epoch millis or ISO strings (from inclusive, to exclusive)', async () => {
      await store.append([1, 2, 3, 4, 5].map((n) => input(n))); // T0 + 1s … T0 + 5s
      const ids = async (from?: number | string, to?: number | string): Promise<string[]> =>
        (
          await store.query({
            workloadId: 'agent.tool_router',
            limit: 10,
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
          })
        ).map((r) => r.id);
      const seconds = (n: number): number => (T0 + n * 1000) / 1000;
      const iso = (n: number): string => new Date(T0 + n * 1000).toISOString();
      expect(await ids(seconds(2), seconds(4))).toEqual(['log-3', 'log-2']);
      expect(await ids(iso(2), iso(4))).toEqual(['log-3', 'log-2']);
      expect(await ids(T0 + 2000, T0 + 4000)).toEqual(['log-3', 'log-2']);
      expect(await ids(String(seconds(4)))).toEqual(['log-5', 'log-4']);
      expect(await ids(undefined, iso(2))).toEqual(['log-1']);
    });

    it('counts records per workload, optionally for one client', async () => {
      await store.append([
        input(1),
        input(2),
        input(3, { workload_id: 'b.workload' }),
        input(4, { workload_id: 'b.workload', client_id: 'other' }),
        input(5, { workload_id: 'a.workload' }),
      ]);
      expect(await store.countByWorkload()).toEqual([
        { workload_id: 'a.workload', count: 1 },
        { workload_id: 'agent.tool_router', count: 2 },
        { workload_id: 'b.workload', count: 2 },
      ]);
      expect(await store.countByWorkload({ clientId: 'other' })).toEqual([{ workload_id: 'b.workload', count: 1 }]);
    });

    it('tolerates unknown extra top-level fields and keeps them', async () => {
      const extra = input(1, { app_version: '2.3.1', tags: ['a', 'b'], nested: { any: { shape: 1 } }, latency_ms: 12 });
      await store.append([extra]);
      const [stored] = await store.query({ workloadId: 'agent.tool_router', limit: 1 });
      expect(stored?.record).toEqual(extra.record);
    });

    it('round-trips unicode and 1 MB bodies', async () => {
      const unicode = 'Grüße, 東京 🚀 — ‮RTL‬ \u0000 "quotes" \\ \n newline ';
      const big = 'x'.repeat(1024 * 1024 - 10) + '€😀';
      const records = [withUserText(1, unicode), withUserText(2, big)];
      await store.append(records);
      const stored = await store.query({ workloadId: 'agent.tool_router', limit: 10 });
      expect(stored.map((r) => r.record)).toEqual([records[1]?.record, records[0]?.record]);
    });

    it('streams 10k records newest first with memory bounded by a page', async () => {
      const total = 10_000;
      const body = 'b'.repeat(3000);
      for (let start = 0; start < total; start += 1000) {
        const batch = Array.from({ length: 1000 }, (_, i) => withUserText(start + i, `${start + i} ${body}`));
        await store.append(batch);
      }
      const gc = exposeGc();
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = 0;
      let count = 0;
      let previous: StoredLogRecord | undefined;
      for await (const record of store.stream({ workloadId: 'agent.tool_router' }, { pageSize: 500 })) {
        if (previous) expect(record.record.timestamp).toBeLessThan(previous.record.timestamp);
        previous = record;
        count += 1;
        if (count % 1000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      }
      expect(count).toBe(total);
      expect(previous?.id).toBe('log-0');
      // All 10k records held at once would be ~30 MB of bodies alone; one page of 500 is ~1.5 MB.
      expect(peak).toBeLessThan(12 * 1024 * 1024);
    }, 120_000);

    it('streams only the filtered records, and nothing for an unknown workload', async () => {
      await store.append([input(1), input(2, { client_id: 'other' }), input(3), input(4, { workload_id: 'w2' })]);
      const ids: string[] = [];
      for await (const r of store.stream({ workloadId: 'agent.tool_router', clientId: 'aiva-demo' }, { pageSize: 1 })) {
        ids.push(r.id);
      }
      expect(ids).toEqual(['log-3', 'log-1']);
      for await (const r of store.stream({ workloadId: 'nobody' })) throw new Error(`unexpected ${r.id}`);
    });

    it('rejects records without ids and bad time bounds with a typed error naming the operation', async () => {
      const bad = input(1, { workload_id: '' });
      await expect(store.append([bad])).rejects.toMatchObject({
        operation: 'append',
        kind: 'invalid',
        backend: store.backend,
      });
      await expect(store.query({ workloadId: 'w', limit: 1, from: 'not a date' })).rejects.toBeInstanceOf(StoreError);
      await expect(store.query({ workloadId: 'w', limit: 0 })).rejects.toMatchObject({ kind: 'invalid' });
      expect(await store.countByWorkload()).toEqual([]);
    });

    it('fails fast with a retryable error once closed', async () => {
      await store.close();
      const err: unknown = await store.query({ workloadId: 'w', limit: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ kind: 'unavailable', retryable: true, operation: 'query' });
      expect((await store.health()).ready).toBe(false);
    });
  });
}

/** global.gc without --expose-gc: the flag can be set at run time and read from a fresh context. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
