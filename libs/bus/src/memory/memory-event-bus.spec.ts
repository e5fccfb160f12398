import { DlqHeader } from '../dead-letter';
import { BusConfigError, NonRetriableError, PublishError } from '../errors';
import { type EventMeta } from '../handler';
import { Outcome } from '../outcome';
import {
  TestTopics,
  newOrderPlaced,
  testCatalogue,
  type OrderPlacedV1,
  type TestCatalogue,
} from '../testing/test-catalogue';
import { encodeWire } from '../wire-format';
import { MemoryEventBus } from './memory-event-bus';

const FAST = { retry: { maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 5 }, handlerTimeoutMs: 200 };

function bus(): MemoryEventBus<TestCatalogue> {
  return new MemoryEventBus(testCatalogue, { groupId: 'orders', ...FAST });
}

describe('MemoryEventBus', () => {
  it('should deliver a published event to its handler with key, headers and metadata', async () => {
    const sut = bus();
    const seen: { payload: OrderPlacedV1; meta: EventMeta }[] = [];
    sut.subscribe(TestTopics.OrderPlaced, (payload, meta) => {
      seen.push({ payload, meta });
      return Outcome.processed();
    });
    await sut.start();
    const order = newOrderPlaced();
    await sut.publish(TestTopics.OrderPlaced, order);
    await sut.drain();

    expect(seen).toHaveLength(1);
    expect(seen[0]?.payload).toEqual(order);
    expect(seen[0]?.meta).toMatchObject({ key: order.orderId, eventId: order.eventId, attempt: 1, groupId: 'orders' });
    expect(seen[0]?.meta.headers['event-type']).toBe(TestTopics.OrderPlaced);
    expect(sut.publishedTo(TestTopics.OrderPlaced)).toEqual([order]);
    expect(sut.deliveries.map((d) => d.result.kind)).toEqual(['completed']);
  });

  it('should hold events published before start and deliver them on start', async () => {
    const sut = bus();
    const handled: string[] = [];
    sut.subscribe(TestTopics.Ping, (p) => {
      handled.push(p.eventId);
      return Outcome.processed();
    });
    await sut.publish(TestTopics.Ping, { eventId: 'a', seq: 1 });
    await sut.drain();
    expect(handled).toEqual([]);
    await sut.start();
    await sut.drain();
    expect(handled).toEqual(['a']);
  });

  it('should commit a skipped event without retrying', async () => {
    const sut = bus();
    const handler = jest.fn(() => Outcome.skipped('already shipped'));
    sut.subscribe(TestTopics.OrderPlaced, handler);
    await sut.start();
    await sut.publish(TestTopics.OrderPlaced, newOrderPlaced());
    await sut.drain();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(sut.deliveries[0]?.result).toMatchObject({ kind: 'completed', outcome: { kind: 'skipped' } });
    expect(sut.deadLetters).toEqual([]);
  });

  it('should retry a throwing handler maxAttempts times, then dead-letter with the attempt count', async () => {
    const sut = bus();
    const attempts: number[] = [];
    sut.subscribe(TestTopics.OrderPlaced, (_p, meta) => {
      attempts.push(meta.attempt);
      throw new Error('store unavailable');
    });
    await sut.start();
    await sut.publish(TestTopics.OrderPlaced, newOrderPlaced());
    await sut.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(sut.deadLetters).toHaveLength(1);
    expect(sut.deadLetters[0]?.topic).toBe('orders.dlq');
    expect(sut.deadLetters[0]?.headers).toMatchObject({
      [DlqHeader.reason]: 'retries-exhausted',
      [DlqHeader.attempts]: '3',
      [DlqHeader.sourceTopic]: TestTopics.OrderPlaced,
    });
    expect(String(sut.deadLetters[0]?.headers[DlqHeader.error])).toContain('store unavailable');
  });

  it('should stop retrying once the handler succeeds', async () => {
    const sut = bus();
    sut.subscribe(TestTopics.OrderPlaced, (_p, meta) =>
      meta.attempt < 2 ? Outcome.retryLater('not yet') : Outcome.processed(),
    );
    await sut.start();
    await sut.publish(TestTopics.OrderPlaced, newOrderPlaced());
    await sut.drain();
    expect(sut.deliveries[0]?.result).toMatchObject({ kind: 'completed', attempts: 2 });
    expect(sut.deadLetters).toEqual([]);
  });

  it('should dead-letter at once on deadLetter() and on a NonRetriableError', async () => {
    const sut = bus();
    sut.subscribe(TestTopics.OrderPlaced, () => Outcome.deadLetter('order belongs to no known customer'));
    sut.subscribe(TestTopics.Ping, () => {
      throw new NonRetriableError('ping is malformed');
    });
    await sut.start();
    await sut.publish(TestTopics.OrderPlaced, newOrderPlaced());
    await sut.publish(TestTopics.Ping, { eventId: 'p', seq: 1 });
    await sut.drain();
    expect(sut.deadLetters.map((d) => [d.reason, d.attempts])).toEqual([
      ['handler-dead-letter', 1],
      ['non-retriable-error', 1],
    ]);
  });

  it('should count a handler that hangs past its timeout as a failed attempt', async () => {
    const sut = new MemoryEventBus(testCatalogue, {
      retry: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 1 },
      handlerTimeoutMs: 50,
    });
    const aborted: boolean[] = [];
    sut.subscribe(TestTopics.Ping, (_p, meta) => {
      meta.signal.addEventListener('abort', () => aborted.push(true));
      return new Promise<Outcome>(() => undefined);
    });
    await sut.start();
    await sut.publish(TestTopics.Ping, { eventId: 'p', seq: 1 });
    await sut.drain();
    expect(sut.deadLetters[0]).toMatchObject({ reason: 'retries-exhausted', attempts: 2 });
    expect(sut.deadLetters[0]?.error).toContain('handler-timeout');
    expect(aborted).toEqual([true, true]);
  });

  it('should dead-letter undecodable and invalid records without calling the handler, and keep going', async () => {
    const sut = bus();
    const handled: string[] = [];
    sut.subscribe(TestTopics.OrderPlaced, (p) => {
      handled.push(p.orderId);
      return Outcome.processed();
    });
    await sut.start();
    sut.publishRaw(TestTopics.OrderPlaced, Buffer.from('not avro at all'), { key: 'k1' });
    sut.publishRaw(TestTopics.OrderPlaced, encodeWire(4242, Buffer.from([2, 3])));
    // Schema-valid but failing the contract's business validation (a foreign producer skipped it).
    const bad = newOrderPlaced({ amountCents: -5 });
    sut.publishRaw(TestTopics.OrderPlaced, await sut.encodeRaw(TestTopics.OrderPlaced, bad));
    const good = newOrderPlaced();
    await sut.publish(TestTopics.OrderPlaced, good);
    await sut.drain();

    expect(sut.deadLetters.map((d) => d.reason)).toEqual([
      'decode:magic',
      'decode:unknown-schema',
      'decode:invalid-payload',
    ]);
    expect(sut.deadLetters[0]?.key?.toString()).toBe('k1');
    expect(sut.deadLetters[2]?.error).toContain('amountCents must be positive');
    expect(handled).toEqual([good.orderId]);
  });

  it('should reject at publish a payload that fails the schema or the contract', async () => {
    const sut = bus();
    await expect(sut.publish(TestTopics.OrderPlaced, newOrderPlaced({ amountCents: 0 }))).rejects.toThrow(PublishError);
    await expect(sut.publish(TestTopics.OrderPlaced, { orderId: 'o' } as unknown as OrderPlacedV1)).rejects.toThrow(
      /does not match schema/,
    );
    expect(sut.published).toEqual([]);
  });

  it('should refuse two handlers for one topic in one group, but allow them in different groups', () => {
    const sut = bus();
    sut.subscribe(TestTopics.Ping, () => Outcome.processed(), { name: 'A.onPing' });
    expect(() => sut.subscribe(TestTopics.Ping, () => Outcome.processed(), { name: 'B.onPing' })).toThrow(
      BusConfigError,
    );
    expect(() => sut.subscribe(TestTopics.Ping, () => Outcome.processed(), { groupId: 'audit' })).not.toThrow();
  });

  it('should deliver to every consumer group independently, each with its own DLQ', async () => {
    const sut = bus();
    const seen: string[] = [];
    sut.subscribe(TestTopics.Ping, () => {
      seen.push('orders');
      return Outcome.processed();
    });
    sut.subscribe(TestTopics.Ping, () => Outcome.deadLetter('audit refuses'), { groupId: 'audit' });
    await sut.start();
    await sut.publish(TestTopics.Ping, { eventId: 'p', seq: 1 });
    await sut.drain();
    expect(seen).toEqual(['orders']);
    expect(sut.deadLetters.map((d) => d.topic)).toEqual(['audit.dlq']);
  });

  it('should deliver events that handlers publish (chains) before drain resolves', async () => {
    const sut = bus();
    sut.subscribe(TestTopics.OrderPlaced, async (p) => {
      await sut.publish(TestTopics.OrderShipped, { eventId: `${p.eventId}-s`, orderId: p.orderId, carrier: 'dhl' });
      return Outcome.processed();
    });
    const shipped: string[] = [];
    sut.subscribe(TestTopics.OrderShipped, (p) => {
      shipped.push(p.orderId);
      return Outcome.processed();
    });
    await sut.start();
    const order = newOrderPlaced();
    await sut.publish(TestTopics.OrderPlaced, order);
    await sut.drain();
    expect(shipped).toEqual([order.orderId]);
  });

  it('should leave a record unconsumed when stopped during a retry backoff', async () => {
    const sut = new MemoryEventBus(testCatalogue, {
      retry: { maxAttempts: 5, backoffBaseMs: 10_000, backoffMaxMs: 10_000 },
    });
    let calls = 0;
    sut.subscribe(TestTopics.Ping, () => {
      calls += 1;
      return Outcome.retryLater('busy');
    });
    await sut.start();
    await sut.publish(TestTopics.Ping, { eventId: 'p', seq: 1 });
    while (calls === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await sut.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sut.deliveries).toEqual([]);
    expect(sut.deadLetters).toEqual([]);
  });
});
