// The batch consumer against the embedded broker and schema registry: whole batches of decoded events, every bad
// record dead-lettered by the consumer while its neighbours reach the handler, handler rejections, a failing
// handler offered the same batch again (nothing committed meanwhile), and a stop that leaves a waiting batch
// uncommitted for the next member of the group.
import { Type, type Schema } from 'avsc';
import {
  DlqHeader,
  KafkaBatchConsumer,
  KafkaEventBus,
  encodeWire,
  type BatchResult,
  type DeadLetterRecord,
  type EventRecord,
  type InboundRecord,
  type KafkaBatchConsumerOptions,
} from '../src';
import {
  TestTopics,
  newOrderPlaced,
  testCatalogue,
  type OrderPlacedV1,
  type TestCatalogue,
} from '../src/testing/test-catalogue';
import {
  CapturingLogger,
  FAST_CONSUMER,
  busOptions,
  header,
  produceRaw,
  readTopic,
  startStack,
  waitFor,
  type Stack,
} from './bus-fixtures';

const RAW_TOPIC = 'test.raw-lines.v1';

let stack: Stack;
const consumers: KafkaBatchConsumer<TestCatalogue>[] = [];
const buses: KafkaEventBus<TestCatalogue>[] = [];

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
  await Promise.all(buses.splice(0).map((b) => b.close()));
  await stack.stop();
});

function newConsumer(
  groupId: string,
  overrides: Partial<KafkaBatchConsumerOptions<TestCatalogue>> = {},
  onDeadLetter?: (dl: DeadLetterRecord) => void,
): KafkaBatchConsumer<TestCatalogue> {
  const base = busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, groupId);
  const consumer = new KafkaBatchConsumer<TestCatalogue>(
    {
      catalogue: testCatalogue,
      kafka: base.kafka,
      schemaRegistry: base.schemaRegistry,
      groupId,
      consumer: FAST_CONSUMER,
      retry: { backoffBaseMs: 20, backoffMaxMs: 100 },
      topics: { createMissing: true, partitions: 1 },
      ...overrides,
    },
    { logger: new CapturingLogger(), onDeadLetter },
  );
  consumers.push(consumer);
  return consumer;
}

async function publisher(): Promise<KafkaEventBus<TestCatalogue>> {
  const bus = new KafkaEventBus(busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, 'pub'), {
    logger: new CapturingLogger(),
  });
  buses.push(bus);
  await bus.start();
  return bus;
}

async function registeredId(subject: string): Promise<number> {
  const res = await fetch(`${stack.registry.url}/subjects/${encodeURIComponent(subject)}/versions/latest`);
  return ((await res.json()) as { id: number }).id;
}

const avroBody = (payload: OrderPlacedV1): Buffer =>
  Type.forSchema(testCatalogue[TestTopics.OrderPlaced].schema as unknown as Schema).toBuffer(payload);

const done: BatchResult = { rejected: [] };

describe('KafkaBatchConsumer', () => {
  it('should hand decoded events over in batches and commit them', async () => {
    const bus = await publisher();
    const orders = Array.from({ length: 50 }, () => newOrderPlaced());
    await bus.publishMany(orders.map((payload) => ({ topic: TestTopics.OrderPlaced, payload })));

    const seen: EventRecord<OrderPlacedV1>[] = [];
    const batchSizes: number[] = [];
    const consumer = newConsumer('batch-orders');
    consumer.consumeEvents(TestTopics.OrderPlaced, async (records) => {
      batchSizes.push(records.length);
      seen.push(...records);
      return done;
    });
    await consumer.start();
    await waitFor(() => seen.length === 50, 20_000, '50 events');

    expect(seen.map((r) => r.payload)).toEqual(orders);
    expect(seen.map((r) => r.offset)).toEqual(orders.map((_, i) => String(i)));
    expect(seen[0]?.schemaId).toBe(await registeredId(`${TestTopics.OrderPlaced}-value`));
    expect(batchSizes.length).toBeLessThan(50); // batches, not one call per record
    expect(consumer.status()).toEqual({ state: 'running', failedAttempts: 0, lastError: null });

    // Committed: the next member of the group starts after the last record.
    await consumer.stop();
    const later = newOrderPlaced();
    await bus.publish(TestTopics.OrderPlaced, later);
    const next: OrderPlacedV1[] = [];
    const second = newConsumer('batch-orders');
    second.consumeEvents(TestTopics.OrderPlaced, async (records) => {
      next.push(...records.map((r) => r.payload));
      return done;
    });
    await second.start();
    await waitFor(() => next.length === 1, 20_000, 'the one new event');
    expect(next).toEqual([later]);
  });

  it('should dead-letter every bad record with its reason while the good neighbours reach the handler', async () => {
    const bus = await publisher();
    const id = await registeredId(`${TestTopics.OrderPlaced}-value`);
    const first = newOrderPlaced();
    await bus.publish(TestTopics.OrderPlaced, first);
    const bad: { value: Buffer; reason: string; error: RegExp }[] = [
      { value: Buffer.from('{"json":"not avro"}'), reason: 'decode:magic', error: /magic byte 123/ },
      { value: encodeWire(id, Buffer.from([0xff, 0xff])), reason: 'decode:corrupt', error: /does not decode/ },
      {
        value: encodeWire(4242, avroBody(newOrderPlaced())),
        reason: 'decode:unknown-schema',
        error: /schema id 4242 is not in the registry/,
      },
      {
        value: encodeWire(id, avroBody(newOrderPlaced({ amountCents: -5 }))),
        reason: 'decode:invalid-payload',
        error: /amountCents must be positive/,
      },
      {
        value: encodeWire(id, avroBody(newOrderPlaced({ note: 'x'.repeat(3000) }))),
        reason: 'decode:too-large',
        error: /record value is \d+ bytes, over the limit of 2048 bytes/,
      },
    ];
    for (const b of bad) await produceRaw(stack.brokers, TestTopics.OrderPlaced, b.value);
    const last = newOrderPlaced();
    await bus.publish(TestTopics.OrderPlaced, last);

    const seen: OrderPlacedV1[] = [];
    const counted: string[] = [];
    const consumer = newConsumer('batch-bad', { maxValueBytes: 2048 }, (dl) => counted.push(dl.reason));
    consumer.consumeEvents(TestTopics.OrderPlaced, async (records) => {
      seen.push(...records.map((r) => r.payload));
      return done;
    });
    await consumer.start();
    const dead = await readTopic(stack.brokers, 'batch-bad.dlq', bad.length);
    await waitFor(() => seen.length === 2, 20_000, 'both good events');

    expect(seen).toEqual([first, last]);
    expect(dead.map((m) => header(m, DlqHeader.reason))).toEqual(bad.map((b) => b.reason));
    dead.forEach((m, i) => {
      const expected = bad[i]!;
      expect(m.value).toEqual(expected.value);
      expect(header(m, DlqHeader.error)).toMatch(expected.error);
      expect(header(m, DlqHeader.sourceOffset)).toBe(String(i + 1));
      expect(header(m, DlqHeader.consumerGroup)).toBe('batch-bad');
    });
    expect(header(dead[2]!, DlqHeader.schemaId)).toBe('4242');
    expect(counted).toEqual(bad.map((b) => b.reason));
  });

  it('should dead-letter what a raw-topic handler rejects and pass the rest as bytes', async () => {
    for (const line of ['{"n":1}', 'not json', '{"n":3}']) {
      await produceRaw(stack.brokers, RAW_TOPIC, Buffer.from(line), 'k');
    }
    const accepted: string[] = [];
    const consumer = newConsumer('batch-raw');
    consumer.consumeRaw(RAW_TOPIC, async (records: readonly InboundRecord[]) => {
      const rejected = records.filter((r) => !r.value?.toString().startsWith('{'));
      accepted.push(...records.filter((r) => !rejected.includes(r)).map((r) => r.value?.toString() ?? ''));
      return { rejected: rejected.map((record) => ({ record, reason: 'handler-dead-letter', error: 'not JSON' })) };
    });
    await consumer.start();
    const [dead] = await readTopic(stack.brokers, 'batch-raw.dlq', 1);
    await waitFor(() => accepted.length === 2, 20_000, 'two accepted lines');

    expect(accepted).toEqual(['{"n":1}', '{"n":3}']);
    expect(dead?.value?.toString()).toBe('not json');
    expect(header(dead!, DlqHeader.reason)).toBe('handler-dead-letter');
    expect(header(dead!, DlqHeader.error)).toBe('not JSON');
    expect(header(dead!, DlqHeader.sourceOffset)).toBe('1');
  });

  it('should offer a batch again while its handler fails, and commit only once it succeeds', async () => {
    const bus = await publisher();
    const orders = [newOrderPlaced(), newOrderPlaced()];
    await bus.publishMany(orders.map((payload) => ({ topic: TestTopics.OrderPlaced, payload })));
    const attempts: number[] = [];
    const stored: OrderPlacedV1[] = [];
    const statuses: string[] = [];
    const consumer = newConsumer('batch-retry');
    consumer.consumeEvents(TestTopics.OrderPlaced, async (records, ctx) => {
      attempts.push(ctx.attempt);
      statuses.push(consumer.status().state);
      if (ctx.attempt < 3) throw new Error('store unavailable');
      stored.push(...records.map((r) => r.payload));
      return done;
    });
    await consumer.start();
    await waitFor(() => stored.length === 2, 20_000, 'the batch to get through');

    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(statuses[2]).toBe('retrying');
    expect(stored).toEqual(orders);
    await waitFor(() => consumer.status().state === 'running', 5000, 'the consumer to recover');
    expect(consumer.status()).toEqual({ state: 'running', failedAttempts: 0, lastError: 'Error: store unavailable' });
  });

  it('should leave a batch uncommitted when stopped while it waits to be offered again', async () => {
    const bus = await publisher();
    const order = newOrderPlaced();
    await bus.publish(TestTopics.OrderPlaced, order);
    let calls = 0;
    const failing = newConsumer('batch-stop', { retry: { backoffBaseMs: 60_000, backoffMaxMs: 60_000 } });
    failing.consumeEvents(TestTopics.OrderPlaced, async () => {
      calls += 1;
      throw new Error('store unavailable');
    });
    await failing.start();
    await waitFor(() => calls === 1, 20_000, 'the first attempt');
    await failing.stop(); // cuts the 60 s backoff short

    const seen: OrderPlacedV1[] = [];
    const next = newConsumer('batch-stop');
    next.consumeEvents(TestTopics.OrderPlaced, async (records) => {
      seen.push(...records.map((r) => r.payload));
      return done;
    });
    await next.start();
    await waitFor(() => seen.length === 1, 20_000, 'redelivery');
    expect(seen).toEqual([order]);
  });

  it('should consume every partition with two group members, each record once', async () => {
    const seen: string[] = [];
    const partitions = new Set<number>();
    const consumer = newConsumer('batch-members', {
      fetch: { members: 2 },
      topics: { createMissing: true, partitions: 2 },
    });
    consumer.consumeRaw(RAW_TOPIC, async (records) => {
      seen.push(...records.map((r) => r.value?.toString() ?? ''));
      for (const r of records) partitions.add(r.partition);
      return done;
    });
    await consumer.start(); // creates the topic with two partitions
    for (let i = 0; i < 40; i++) await produceRaw(stack.brokers, RAW_TOPIC, Buffer.from(`line-${i}`), `key-${i}`);
    await waitFor(() => seen.length >= 40, 20_000, '40 lines');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up by now
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `line-${i}`).sort());
    expect([...partitions].sort()).toEqual([0, 1]);
  });

  it('should refuse a topic outside the catalogue and a second handler for one topic', () => {
    const consumer = newConsumer('batch-config');
    expect(() => consumer.consumeEvents('test.nope.v1' as typeof TestTopics.OrderPlaced, async () => done)).toThrow(
      /not in the event catalogue/,
    );
    consumer.consumeRaw(RAW_TOPIC, async () => done);
    expect(() => consumer.consumeRaw(RAW_TOPIC, async () => done)).toThrow(/has two handlers/);
  });
});
