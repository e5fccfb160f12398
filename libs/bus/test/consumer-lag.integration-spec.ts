// Consumer lag read from the broker against the embedded stack: it grows while a consumer is stuck (no batch
// completes, so nothing would report it per batch) and drops back to zero once the records are committed, for the
// bus's per-record consumers and for the batch consumer alike. A broker that does not answer is a typed error.
import { Kafka, logLevel } from 'kafkajs';
import { ConsumerLagError, KafkaBatchConsumer, KafkaEventBus, Outcome, type PartitionLag } from '../src';
import { KafkaLagReader } from '../src/kafka/kafka-lag-reader';
import { TestTopics, type TestCatalogue, testCatalogue } from '../src/testing/test-catalogue';
import { CapturingLogger, FAST_CONSUMER, busOptions, startStack, waitFor, type Stack } from './bus-fixtures';

const N = 7;
const LAG_TIMEOUT = { timeoutMs: 10_000 };

let stack: Stack;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await stack.stop();
});

function gate(): { wait: () => Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

const total = (lag: readonly PartitionLag[]): number => lag.reduce((sum, p) => sum + p.records, 0);

/** Polls the source until its lag sums to `expected`; returns the last reading. */
async function lagReaches(
  read: () => Promise<readonly PartitionLag[]>,
  expected: number,
  what: string,
): Promise<readonly PartitionLag[]> {
  let last: readonly PartitionLag[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    last = await read();
    if (total(last) === expected) return last;
    if (Date.now() > deadline) throw new Error(`${what}: lag stayed ${JSON.stringify(last)}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function publishPings(bus: KafkaEventBus<TestCatalogue>, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq++) await bus.publish(TestTopics.Ping, { eventId: `ping-${seq}`, seq });
}

describe('consumer lag from the broker', () => {
  it('should rise to N while a bus handler is stuck and drop to 0 once it is released', async () => {
    const stuck = gate();
    let entered = 0;
    const bus = new KafkaEventBus(
      busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, 'lag-pings', {
        handlerTimeoutMs: 60_000,
      }),
      { logger: new CapturingLogger() },
    );
    closers.push(() => bus.close());
    bus.subscribe(TestTopics.Ping, async () => {
      entered += 1;
      await stuck.wait();
      return Outcome.processed();
    });
    expect(await bus.consumerLag(LAG_TIMEOUT)).toEqual([]); // not consuming yet
    await bus.start();
    await publishPings(bus, 1, N);
    await waitFor(() => entered === 1, 30_000, 'the first record to reach the handler');

    const stuckLag = await lagReaches(() => bus.consumerLag(LAG_TIMEOUT), N, 'stuck handler');
    expect(stuckLag).toEqual([{ groupId: 'lag-pings', topic: TestTopics.Ping, partition: 0, records: N }]);

    stuck.open();
    await waitFor(() => entered === N, 30_000, 'every record handled');
    await lagReaches(() => bus.consumerLag(LAG_TIMEOUT), 0, 'released handler');
  });

  it('should rise to N while the batch consumer holds a batch back and drop to 0 after it commits', async () => {
    const publisher = new KafkaEventBus(
      busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, 'lag-publisher'),
      { logger: new CapturingLogger() },
    );
    closers.push(() => publisher.close());
    await publisher.start();
    const base = busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, 'lag-batch');
    const consumer = new KafkaBatchConsumer<TestCatalogue>(
      {
        catalogue: testCatalogue,
        kafka: base.kafka,
        schemaRegistry: base.schemaRegistry,
        groupId: 'lag-batch',
        consumer: FAST_CONSUMER,
        retry: { backoffBaseMs: 20, backoffMaxMs: 100 },
        handlerTimeoutMs: 60_000,
        topics: { createMissing: true, partitions: 1 },
      },
      { logger: new CapturingLogger() },
    );
    closers.push(() => consumer.stop());
    const stuck = gate();
    let handled = 0;
    consumer.consumeEvents(TestTopics.Ping, async (records) => {
      await stuck.wait();
      handled += records.length;
      return { rejected: [] };
    });
    await consumer.start();
    await publishPings(publisher, 1, N);

    const stuckLag = await lagReaches(() => consumer.consumerLag(LAG_TIMEOUT), N, 'held batch');
    expect(stuckLag).toEqual([{ groupId: 'lag-batch', topic: TestTopics.Ping, partition: 0, records: N }]);

    stuck.open();
    await waitFor(() => handled === N, 30_000, 'every record handled');
    await lagReaches(() => consumer.consumerLag(LAG_TIMEOUT), 0, 'committed batch');
    await consumer.stop();
    expect(await consumer.consumerLag(LAG_TIMEOUT)).toEqual([]);
  });

  it('should fail with a typed error, not hang, when no broker answers', async () => {
    const kafka = new Kafka({
      clientId: 'lag-nobody',
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 200,
      retry: { retries: 0 },
    });
    const reader = new KafkaLagReader(kafka);
    const err: unknown = await reader
      .read([{ groupId: 'g', topics: [TestTopics.Ping], fromBeginning: true }], 5000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsumerLagError);
    expect((err as ConsumerLagError).kind).toMatch(/^(broker|timeout)$/);
    await reader.close();
  });
});
