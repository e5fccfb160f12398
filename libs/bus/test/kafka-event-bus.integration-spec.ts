// The Kafka bus against the embedded broker and schema registry (and, where Docker runs, the same suite against real
// Kafka through testcontainers): typed round trip, every bad-input case ending in the DLQ while the consumer carries
// on, trace context across the broker, and graceful shutdown.
import { ROOT_CONTEXT, context, createTraceState, trace } from '@opentelemetry/api';
import { Type, type Schema } from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import {
  DlqHeader,
  KafkaEventBus,
  Outcome,
  encodeWire,
  type BusObserver,
  type EventMeta,
  type KafkaBusOptions,
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
  busOptions,
  header,
  kafkaTargets,
  produceRaw,
  readTopic,
  startStack,
  waitFor,
  type KafkaTarget,
  type Stack,
} from './bus-fixtures';
import { installTestOtel } from './otel-fixtures';

describe.each(kafkaTargets())('on %s Kafka', (target: KafkaTarget) => {
  let stack: Stack;
  const buses: KafkaEventBus<TestCatalogue>[] = [];

  beforeEach(async () => {
    stack = await startStack(target);
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await stack.stop();
  });

  function newBus(groupId: string, overrides: Partial<KafkaBusOptions<TestCatalogue>> = {}, observer?: BusObserver) {
    const logger = new CapturingLogger();
    const bus = new KafkaEventBus(
      busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, groupId, overrides),
      { logger, observer },
    );
    buses.push(bus);
    return { bus, logger };
  }

  async function registeredId(subject: string): Promise<number> {
    const res = await fetch(`${stack.registry.url}/subjects/${encodeURIComponent(subject)}/versions/latest`);
    return ((await res.json()) as { id: number }).id;
  }

  const body = (payload: unknown): Buffer =>
    Type.forSchema(testCatalogue[TestTopics.OrderPlaced].schema as unknown as Schema).toBuffer(payload);

  describe('KafkaEventBus round trip', () => {
    it('should create every catalogue topic with the configured partitions before its first publish', async () => {
      const { bus } = newBus('creator', { topics: { partitions: 3 } });
      await bus.publish(TestTopics.OrderPlaced, newOrderPlaced());
      const admin = new Kafka({ clientId: 'inspector', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const meta = await admin.fetchTopicMetadata({ topics: Object.keys(testCatalogue) });
        const partitions = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
        expect(partitions).toEqual(Object.fromEntries(Object.keys(testCatalogue).map((t) => [t, 3])));
      } finally {
        await admin.disconnect();
      }
    });

    it('should publish and handle a typed event through the broker (key, headers, schema registered)', async () => {
      const { bus } = newBus('orders');
      const seen: { order: OrderPlacedV1; meta: EventMeta }[] = [];
      bus.subscribe(TestTopics.OrderPlaced, (order, meta) => {
        seen.push({ order, meta });
        return Outcome.processed();
      });
      await bus.start();
      const order = newOrderPlaced({ note: 'fragile' });

      const receipt = await bus.publish(TestTopics.OrderPlaced, order);
      await waitFor(() => seen.length === 1, 15_000, 'the event to be handled');

      expect(receipt).toMatchObject({ topic: TestTopics.OrderPlaced, partition: 0, offset: '0' });
      expect(seen[0]?.order).toEqual(order);
      const id = await registeredId(`${TestTopics.OrderPlaced}-value`);
      expect(seen[0]?.meta).toMatchObject({ key: order.orderId, eventId: order.eventId, schemaId: id, attempt: 1 });
      expect(seen[0]?.meta.headers).toMatchObject({ 'event-type': TestTopics.OrderPlaced, 'event-id': order.eventId });
      // No OTel SDK registered: trace propagation is a silent no-op.
      expect(seen[0]?.meta.headers.traceparent).toBeUndefined();

      const [raw] = await readTopic(stack.brokers, TestTopics.OrderPlaced, 1);
      expect(raw?.value?.[0]).toBe(0);
      expect(raw?.value?.readInt32BE(1)).toBe(id);
    });

    it('should publish many events in one batch, in order per key', async () => {
      const { bus } = newBus('pings');
      const seqs: number[] = [];
      bus.subscribe(TestTopics.Ping, (p) => {
        seqs.push(p.seq);
        return Outcome.processed();
      });
      await bus.start();
      await bus.publishMany([1, 2, 3].map((seq) => ({ topic: TestTopics.Ping, payload: { eventId: `p${seq}`, seq } })));
      await waitFor(() => seqs.length === 3);
      expect(seqs).toEqual([1, 2, 3]);
    });

    it('should report each outcome and the consumer lag: a backlog published before the group starts drains to 0', async () => {
      const outcomes: string[] = [];
      const lags: number[] = [];
      const observer: BusObserver = {
        delivered: (e) => outcomes.push(`${e.groupId}/${e.topic}:${e.outcome}`),
        lag: (e) => lags.push(e.records),
      };
      const { bus: publisher } = newBus('lag-publisher');
      await publisher.start();
      // A backlog before the group exists: its first batch sees records behind it.
      await publisher.publishMany(
        [1, 2, 3, 4].map((seq) => ({ topic: TestTopics.Ping, payload: { eventId: `lag${seq}`, seq } })),
      );
      const { bus } = newBus('lagging', { consumer: { fromBeginning: true } }, observer);
      bus.subscribe(TestTopics.Ping, (p) => (p.seq % 2 === 0 ? Outcome.skipped('even') : Outcome.processed()));
      await bus.start();
      await waitFor(() => outcomes.length >= 4 && lags.at(-1) === 0);
      expect(outcomes.filter((o) => o.startsWith('lagging/')).sort()).toEqual([
        `lagging/${TestTopics.Ping}:processed`,
        `lagging/${TestTopics.Ping}:processed`,
        `lagging/${TestTopics.Ping}:skipped`,
        `lagging/${TestTopics.Ping}:skipped`,
      ]);
      expect(lags.every((l) => l >= 0)).toBe(true);
    });

    it('should carry W3C trace context from publisher to handler', async () => {
      const uninstall = installTestOtel();
      try {
        const { bus } = newBus('traced');
        const seen: { traceId?: string; spanId?: string; state?: string; header?: string }[] = [];
        bus.subscribe(TestTopics.Ping, (_p, meta) => {
          const sc = trace.getSpanContext(context.active());
          seen.push({
            traceId: sc?.traceId,
            spanId: sc?.spanId,
            state: sc?.traceState?.serialize(),
            header: meta.headers.traceparent,
          });
          return Outcome.processed();
        });
        await bus.start();
        const parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
          traceState: createTraceState('vendor=abc'),
        });
        await context.with(parent, () => bus.publish(TestTopics.Ping, { eventId: 't', seq: 1 }));
        await waitFor(() => seen.length === 1);
        expect(seen[0]).toEqual({
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          state: 'vendor=abc',
          header: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        });
      } finally {
        uninstall();
      }
    });
  });

  describe('KafkaEventBus bad input: the record lands in <group>.dlq and the next one is processed', () => {
    /** Orders named throw-* make the handler throw; hang-* never resolve; the rest are processed. */
    function startOrders(groupId: string) {
      const { bus, logger } = newBus(groupId, { handlerTimeoutMs: 300 });
      const processed: string[] = [];
      const attempts: Record<string, number> = {};
      bus.subscribe(TestTopics.OrderPlaced, (order) => {
        attempts[order.orderId] = (attempts[order.orderId] ?? 0) + 1;
        if (order.orderId.startsWith('throw-')) throw new Error(`cannot price ${order.orderId}`);
        if (order.orderId.startsWith('hang-')) return new Promise<Outcome>(() => undefined);
        processed.push(order.orderId);
        return Outcome.processed();
      });
      return { bus, logger, processed, attempts };
    }

    const cases: {
      name: string;
      bad: (bus: KafkaEventBus<TestCatalogue>) => Promise<Buffer | null>;
      reason: string;
      attempts: number;
      error: RegExp;
      schemaId?: 'registered' | number;
    }[] = [
      {
        name: 'corrupt bytes (not the Confluent wire format)',
        bad: async () => {
          const value = Buffer.from('{"orderId":"json-is-not-avro"}');
          await produceRaw(stack.brokers, TestTopics.OrderPlaced, value);
          return value;
        },
        reason: 'decode:magic',
        attempts: 0,
        error: /magic byte 123/,
      },
      {
        name: 'corrupt Avro body under a registered schema id',
        bad: async () => {
          const value = encodeWire(
            await registeredId(`${TestTopics.OrderPlaced}-value`),
            Buffer.from([0xff, 0xff, 0xff]),
          );
          await produceRaw(stack.brokers, TestTopics.OrderPlaced, value);
          return value;
        },
        reason: 'decode:corrupt',
        attempts: 0,
        error: /does not decode/,
        schemaId: 'registered',
      },
      {
        name: 'unknown schema id',
        bad: async () => {
          const value = encodeWire(9999, body(newOrderPlaced()));
          await produceRaw(stack.brokers, TestTopics.OrderPlaced, value);
          return value;
        },
        reason: 'decode:unknown-schema',
        attempts: 0,
        error: /schema id 9999 is not in the registry/,
        schemaId: 9999,
      },
      {
        name: 'schema-valid event failing business validation (contract.validate)',
        bad: async () => {
          const id = await registeredId(`${TestTopics.OrderPlaced}-value`);
          const value = encodeWire(id, body(newOrderPlaced({ orderId: 'negative', amountCents: -1 })));
          await produceRaw(stack.brokers, TestTopics.OrderPlaced, value);
          return value;
        },
        reason: 'decode:invalid-payload',
        attempts: 0,
        error: /amountCents must be positive, got -1/,
        schemaId: 'registered',
      },
      {
        name: 'handler that throws (retried maxAttempts times)',
        bad: async (bus) => {
          await bus.publish(TestTopics.OrderPlaced, newOrderPlaced({ orderId: 'throw-1' }));
          return null;
        },
        reason: 'retries-exhausted',
        attempts: 3,
        error: /gave up after 3 attempts; last: unexpected error: Error: cannot price throw-1/,
        schemaId: 'registered',
      },
      {
        name: 'handler that hangs past its timeout',
        bad: async (bus) => {
          await bus.publish(TestTopics.OrderPlaced, newOrderPlaced({ orderId: 'hang-1' }));
          return null;
        },
        reason: 'retries-exhausted',
        attempts: 3,
        error: /gave up after 3 attempts; last: handler-timeout/,
        schemaId: 'registered',
      },
    ];

    it.each(cases)('$name → $reason', async (c) => {
      const { bus, processed, attempts } = startOrders('orders');
      await bus.start();
      const badValue = await c.bad(bus);
      const good = newOrderPlaced();
      await bus.publish(TestTopics.OrderPlaced, good);

      await waitFor(() => processed.includes(good.orderId), 20_000, 'the next good event');
      const [dead, ...more] = await readTopic(stack.brokers, 'orders.dlq', 1);
      expect(more).toEqual([]);
      expect(processed).toEqual([good.orderId]);
      if (dead === undefined) throw new Error('no dead letter');
      expect(header(dead, DlqHeader.reason)).toBe(c.reason);
      expect(header(dead, DlqHeader.attempts)).toBe(String(c.attempts));
      expect(header(dead, DlqHeader.error)).toMatch(c.error);
      expect(header(dead, DlqHeader.sourceTopic)).toBe(TestTopics.OrderPlaced);
      expect(header(dead, DlqHeader.sourcePartition)).toBe('0');
      expect(header(dead, DlqHeader.sourceOffset)).toBe('0');
      expect(header(dead, DlqHeader.consumerGroup)).toBe('orders');
      expect(Date.parse(header(dead, DlqHeader.failedAt) ?? '')).not.toBeNaN();
      const schemaId = c.schemaId === 'registered' ? await registeredId(`${TestTopics.OrderPlaced}-value`) : c.schemaId;
      expect(header(dead, DlqHeader.schemaId)).toBe(schemaId === undefined ? undefined : String(schemaId));
      if (badValue !== null) {
        expect(dead.value).toEqual(badValue);
        expect(dead.key?.toString()).toBe('raw-key');
      } else {
        expect(header(dead, 'event-type')).toBe(TestTopics.OrderPlaced);
        expect(Object.values(attempts).some((n) => n === c.attempts)).toBe(true);
      }
    });
  });

  // Fault injection needs the embedded broker's request hooks.
  (target === 'embedded' ? describe : describe.skip)('KafkaEventBus dead-letter publish failure', () => {
    it('should not commit when the DLQ write fails, so the record comes again and is dead-lettered then', async () => {
      const { bus } = newBus('orders', {
        kafka: {
          brokers: stack.brokers,
          clientId: 'orders',
          logLevel: 'nothing',
          connectionTimeoutMs: 1000,
          requestTimeoutMs: 2000,
          retry: { initialRetryTimeMs: 50, maxRetryTimeMs: 200, retries: 2 },
        },
      });
      let brokerRefusesBus = true;
      // Every Produce from the bus's client fails (connection dropped) until the handler has run twice.
      stack.kafka!.intercept((t) =>
        brokerRefusesBus && t.apiKey === 0 && t.clientId === 'orders' ? 'drop' : 'continue',
      );
      let calls = 0;
      bus.subscribe(TestTopics.OrderPlaced, () => {
        calls += 1;
        if (calls >= 2) brokerRefusesBus = false;
        return Outcome.deadLetter('customer unknown');
      });
      await bus.start();
      const value = encodeWire(await registeredId(`${TestTopics.OrderPlaced}-value`), body(newOrderPlaced()));
      await produceRaw(stack.brokers, TestTopics.OrderPlaced, value);

      const [dead] = await readTopic(stack.brokers, 'orders.dlq', 1, 30_000);
      expect(header(dead!, DlqHeader.reason)).toBe('handler-dead-letter');
      expect(header(dead!, DlqHeader.error)).toBe('customer unknown');
      expect(calls).toBe(2);
    });
  });

  describe('KafkaEventBus graceful shutdown', () => {
    it('should let an in-flight handler finish and commit before close() resolves', async () => {
      const { bus } = newBus('orders');
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const events: string[] = [];
      bus.subscribe(TestTopics.OrderPlaced, async (order) => {
        events.push(`start ${order.orderId}`);
        await gate;
        events.push(`end ${order.orderId}`);
        return Outcome.processed();
      });
      await bus.start();
      const first = newOrderPlaced();
      await bus.publish(TestTopics.OrderPlaced, first);
      await waitFor(() => events.length === 1, 15_000, 'the handler to start');

      const closing = bus.close().then(() => events.push('closed'));
      setTimeout(release, 300);
      await closing;
      expect(events).toEqual([`start ${first.orderId}`, `end ${first.orderId}`, 'closed']);

      // The same group again: the first event was committed, so only the second arrives.
      const { bus: next } = newBus('orders');
      const seen: string[] = [];
      next.subscribe(TestTopics.OrderPlaced, (o) => {
        seen.push(o.orderId);
        return Outcome.processed();
      });
      await next.start();
      const second = newOrderPlaced();
      await next.publish(TestTopics.OrderPlaced, second);
      await waitFor(() => seen.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual([second.orderId]);
    });

    it('should cut a retry backoff short on close and leave the record for redelivery', async () => {
      const { bus } = newBus('orders', { retry: { maxAttempts: 5, backoffBaseMs: 60_000, backoffMaxMs: 60_000 } });
      let calls = 0;
      bus.subscribe(TestTopics.OrderPlaced, () => {
        calls += 1;
        return Outcome.retryLater('downstream busy');
      });
      await bus.start();
      const order = newOrderPlaced();
      await bus.publish(TestTopics.OrderPlaced, order);
      await waitFor(() => calls === 1);
      const started = Date.now();
      await bus.close();
      expect(Date.now() - started).toBeLessThan(5000);

      const { bus: next } = newBus('orders');
      const seen: string[] = [];
      next.subscribe(TestTopics.OrderPlaced, (o) => {
        seen.push(o.orderId);
        return Outcome.processed();
      });
      await next.start();
      await waitFor(() => seen.length === 1, 15_000, 'redelivery');
      expect(seen).toEqual([order.orderId]);
    });
  });
});
