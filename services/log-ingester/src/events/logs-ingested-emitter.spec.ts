// "logs ingested" events: one per workload with new records, exact counts (duplicates excluded), the store's total,
// windows that chain, and counts kept when publishing fails.
import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, testing, Topics } from '@flywheel/contracts';
import { ServiceMetrics } from '@flywheel/service-kit';
import { SqliteLogStore } from '@flywheel/stores';
import { IngesterMetrics } from '../metrics/ingester-metrics';
import { LogsIngestedEmitter } from './logs-ingested-emitter';

const sample = testing.sampleEvents[Topics.llmCallLoggedV1];

async function setup() {
  const store = new SqliteLogStore({ path: ':memory:' });
  await store.connect();
  const bus = new MemoryEventBus(catalogue);
  let now = 10_000;
  let failPublish = false;
  const publisher = {
    publish: bus.publish.bind(bus),
    publishMany: async (events: Parameters<typeof bus.publishMany>[0]) => {
      if (failPublish) throw new Error('broker unreachable');
      await bus.publishMany(events);
    },
  };
  const warnings: string[] = [];
  const emitter = new LogsIngestedEmitter(
    store,
    publisher,
    { intervalMs: 60_000, instanceId: 'host-1', now: () => now },
    new IngesterMetrics(new ServiceMetrics({ serviceName: 't', defaultMetrics: false })),
    { warn: (m: string) => warnings.push(m), debug: () => undefined },
  );
  const store3 = async (workload: string, ids: string[], client = 'c1'): Promise<void> => {
    const records = ids.map((id, i) => ({
      id,
      source: 'http',
      record: { ...sample, workload_id: workload, client_id: client, timestamp: 5000 + i },
    }));
    const result = await store.append(records);
    emitter.record({
      workloadId: workload,
      ...result,
      clientIds: new Set([client]),
      newestTimestamp: 5000 + ids.length - 1,
    });
  };
  return {
    emitter,
    bus,
    warnings,
    store3,
    tick: (ms: number) => (now += ms),
    setFail: (v: boolean) => (failPublish = v),
  };
}

describe('LogsIngestedEmitter', () => {
  it('should emit one event per workload with new records, counting only records new to the store', async () => {
    const { emitter, bus, store3, tick } = await setup();
    await store3('w1', ['a', 'b', 'c']);
    await store3('w1', ['c', 'd'], 'c2'); // 'c' again: a redelivery
    await store3('w2', ['e']);
    tick(5000);
    await emitter.emit();

    const events = bus.publishedTo(Topics.logsIngestedV1);
    expect(events.map((e) => ({ ...e, event_id: 'x' }))).toEqual([
      {
        event_id: 'x',
        workload_id: 'w1',
        occurred_at: 15_000,
        window_start: 10_000,
        records_since_last: 4,
        total_records: 4,
        client_ids: ['c1', 'c2'],
        newest_record_at: 5002,
        ingester_instance: 'host-1',
      },
      expect.objectContaining({ workload_id: 'w2', records_since_last: 1, total_records: 1 }),
    ]);
    expect(bus.published.map((p) => p.key)).toEqual(['w1', 'w2']);
  });

  it('should start each window where the previous event for the workload ended, and stay quiet without news', async () => {
    const { emitter, bus, store3, tick } = await setup();
    await store3('w1', ['a']);
    tick(1000);
    await emitter.emit();
    tick(1000);
    await emitter.emit(); // nothing new: no event
    await store3('w1', ['b', 'c']);
    tick(1000);
    await emitter.emit();
    const events = bus.publishedTo(Topics.logsIngestedV1);
    expect(events.map((e) => [e.window_start, e.occurred_at, e.records_since_last, e.total_records])).toEqual([
      [10_000, 11_000, 1, 1],
      [11_000, 13_000, 2, 3],
    ]);
  });

  it('should keep the counts of a failed emission for the next one', async () => {
    const { emitter, bus, store3, tick, setFail, warnings } = await setup();
    await store3('w1', ['a', 'b']);
    setFail(true);
    tick(1000);
    await emitter.emit();
    expect(warnings[0]).toMatch(/not published, kept for the next round: broker unreachable/);
    await store3('w1', ['c']);
    setFail(false);
    tick(1000);
    await emitter.stop();
    const events = bus.publishedTo(Topics.logsIngestedV1);
    expect(events.map((e) => [e.window_start, e.records_since_last, e.total_records])).toEqual([[10_000, 3, 3]]);
  });
});
