import { ConsumerLagError, isConsumerLagSource, partitionLag, withinTimeout } from './consumer-lag';
import { MemoryEventBus } from './memory/memory-event-bus';
import { Outcome } from './outcome';
import { TestTopics, testCatalogue } from './testing/test-catalogue';

/** A handler that waits until opened: a consumer stuck on its first record. */
function gate(): { wait: () => Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

describe('partitionLag', () => {
  it('counts the records after the committed offset', () => {
    expect(partitionLag({ low: '0', high: '10', committed: '4', fromBeginning: true })).toBe(6);
    expect(partitionLag({ low: '0', high: '10', committed: '10', fromBeginning: true })).toBe(0);
  });

  it('counts from where the consumer would start when nothing is committed, or the commit was deleted', () => {
    expect(partitionLag({ low: '3', high: '10', committed: '-1', fromBeginning: true })).toBe(7);
    expect(partitionLag({ low: '3', high: '10', committed: '-1', fromBeginning: false })).toBe(0);
    expect(partitionLag({ low: '5', high: '10', committed: '2', fromBeginning: true })).toBe(5);
  });

  it('never goes below zero', () => {
    expect(partitionLag({ low: '0', high: '4', committed: '9', fromBeginning: true })).toBe(0);
  });
});

describe('withinTimeout', () => {
  it('fails with a timeout ConsumerLagError when the work does not finish in time', async () => {
    const never = new Promise<number>(() => undefined);
    const err: unknown = await withinTimeout(never, 10, 'fetching offsets').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerLagError);
    expect(err).toMatchObject({ kind: 'timeout' });
    await expect(withinTimeout(Promise.resolve(3), 1000, 'x')).resolves.toBe(3);
  });
});

describe('MemoryEventBus consumer lag', () => {
  it('grows while the handler is stuck and drops to zero once it finishes', async () => {
    const bus = new MemoryEventBus(testCatalogue, { groupId: 'pings', handlerTimeoutMs: 60_000 });
    const stuck = gate();
    bus.subscribe(TestTopics.Ping, async () => {
      await stuck.wait();
      return Outcome.processed();
    });
    expect(isConsumerLagSource(bus)).toBe(true);
    expect(await bus.consumerLag()).toEqual([]); // not consuming yet
    await bus.start();
    for (let seq = 1; seq <= 5; seq++) await bus.publish(TestTopics.Ping, { eventId: `p-${seq}`, seq });

    expect(await bus.consumerLag()).toEqual([{ groupId: 'pings', topic: TestTopics.Ping, partition: 0, records: 5 }]);
    stuck.open();
    await bus.drain();
    expect(await bus.consumerLag()).toEqual([{ groupId: 'pings', topic: TestTopics.Ping, partition: 0, records: 0 }]);
    await bus.close();
    expect(await bus.consumerLag()).toEqual([]);
  });
});
