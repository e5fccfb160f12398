import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusConfigError } from '../errors';
import { type EventMeta } from '../handler';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { Outcome } from '../outcome';
import { EventPublisher } from '../ports';
import {
  TestTopics,
  newOrderPlaced,
  testCatalogue,
  type OrderPlacedV1,
  type OrderShippedV1,
  type TestCatalogue,
} from '../testing/test-catalogue';
import { BusModule } from './bus.module';
import { planWiring } from './handler-explorer';
import { OnEvent, onEventFor } from './on-event.decorator';

const OnTestEvent = onEventFor<TestCatalogue>();

@Injectable()
class ShippingHandler {
  public readonly shipped: string[] = [];

  // No @Inject: the abstract class is the token, found through decorator metadata.
  public constructor(private readonly publisher: EventPublisher<TestCatalogue>) {}

  @OnTestEvent(TestTopics.OrderPlaced)
  public async onOrderPlaced(order: OrderPlacedV1, meta: EventMeta): Promise<Outcome> {
    if (meta.attempt > 1) return Outcome.skipped('seen');
    await this.publisher.publish(TestTopics.OrderShipped, {
      eventId: `${order.eventId}-shipped`,
      orderId: order.orderId,
      carrier: 'dhl',
    });
    return Outcome.processed();
  }

  @OnEvent(TestTopics.OrderShipped)
  public onShipped(event: OrderShippedV1): Outcome {
    this.shipped.push(event.orderId);
    return Outcome.processed();
  }
}

@Injectable()
class RivalHandler {
  @OnEvent(TestTopics.OrderShipped)
  public alsoOnShipped(): Outcome {
    return Outcome.processed();
  }
}

@Injectable()
class AuditHandler {
  public constructor(@Inject(EventPublisher) public readonly publisher: EventPublisher) {}

  @OnEvent(TestTopics.OrderShipped, { groupId: 'audit' })
  public audit(): Outcome {
    return Outcome.processed();
  }
}

async function boot(providers: (new (...args: never[]) => object)[], subscriptions: string[] = []) {
  @Module({ imports: [BusModule.forTesting(testCatalogue, { groupId: 'orders', subscriptions })], providers })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  moduleRef.useLogger(false);
  return moduleRef;
}

describe('BusModule handler discovery', () => {
  it('should wire @OnEvent methods at boot and deliver events to them', async () => {
    const moduleRef = await boot([ShippingHandler, AuditHandler]);
    await moduleRef.init();
    const bus = moduleRef.get(MemoryEventBus<TestCatalogue>);
    const order = newOrderPlaced();

    const publisher: EventPublisher<TestCatalogue> = moduleRef.get(EventPublisher);
    await publisher.publish(TestTopics.OrderPlaced, order);
    await bus.drain();

    expect(moduleRef.get(ShippingHandler).shipped).toEqual([order.orderId]);
    expect(
      bus
        .handlers()
        .map((h) => `${h.groupId}: ${h.topic} → ${h.name}`)
        .sort(),
    ).toEqual([
      'audit: test.order-shipped.v1 → AuditHandler.audit',
      'orders: test.order-placed.v1 → ShippingHandler.onOrderPlaced',
      'orders: test.order-shipped.v1 → ShippingHandler.onShipped',
    ]);
    expect(bus.deliveries.filter((d) => d.groupId === 'audit')).toHaveLength(1);
    await moduleRef.close();
  });

  it('should fail the boot when two handlers claim one topic in one group', async () => {
    const moduleRef = await boot([ShippingHandler, RivalHandler]);
    const err: unknown = await moduleRef.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BusConfigError);
    expect((err as Error).message).toContain(
      "topic 'test.order-shipped.v1' has 2 handlers in consumer group 'orders': ShippingHandler.onShipped, RivalHandler.alsoOnShipped",
    );
  });

  it('should fail the boot when a subscribed topic has no handler', async () => {
    const moduleRef = await boot([RivalHandler], [TestTopics.Ping]);
    await expect(moduleRef.init()).rejects.toThrow(
      "subscribed topic 'test.ping.v1' has no @OnEvent handler in consumer group 'orders'",
    );
  });

  it('should not consume before the application has bootstrapped, and stop on close', async () => {
    const moduleRef = await boot([ShippingHandler]);
    const bus = moduleRef.get(MemoryEventBus<TestCatalogue>);
    await bus.publish(TestTopics.OrderShipped, { eventId: 'e', orderId: 'o-early', carrier: 'ups' });
    await bus.drain();
    expect(moduleRef.get(ShippingHandler).shipped).toEqual([]);
    await moduleRef.init();
    await bus.drain();
    expect(moduleRef.get(ShippingHandler).shipped).toEqual(['o-early']);
    await moduleRef.close();
    await bus.publish(TestTopics.OrderShipped, { eventId: 'e2', orderId: 'o-late', carrier: 'ups' });
    await bus.drain();
    expect(moduleRef.get(ShippingHandler).shipped).toEqual(['o-early']);
  });
});

describe('planWiring', () => {
  const handler = (topic: string, name: string, groupId?: string) => ({
    topic,
    name,
    groupId,
    handler: () => Outcome.processed(),
    staticScope: true,
  });

  it('should report unknown topics, duplicates and missing subscriptions together', () => {
    const sut = planWiring(
      [handler('nope.v1', 'A.a'), handler(TestTopics.Ping, 'B.b'), handler(TestTopics.Ping, 'C.c')],
      { catalogue: testCatalogue, groupId: 'g', subscriptions: [TestTopics.OrderPlaced] },
    );
    expect(sut.problems).toEqual([
      "A.a handles 'nope.v1', which is not in the event catalogue",
      "topic 'test.ping.v1' has 2 handlers in consumer group 'g': B.b, C.c",
      "subscribed topic 'test.order-placed.v1' has no @OnEvent handler in consumer group 'g'",
    ]);
  });

  it('should refuse handlers on request-scoped providers', () => {
    const sut = planWiring([{ ...handler(TestTopics.Ping, 'R.r'), staticScope: false }], {
      catalogue: testCatalogue,
      groupId: 'g',
      subscriptions: [],
    });
    expect(sut.problems).toEqual(['R.r is in a request- or transient-scoped provider; handlers must be singletons']);
  });
});
