// A tiny "service" in its own process for the cross-process tests: a Nest application context with
// BusModule.forRoot and one @OnEvent handler, forked by the parent with
// `fork(file, [JSON args], { execArgv: ['--require', 'tsx/cjs'] })`. It reports over IPC; it closes the app
// gracefully on a 'stop' message and otherwise runs until killed. In 'hang' mode the handler never finishes
// (the parent SIGKILLs it mid-handler to prove the record is redelivered).
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusModule, EventPublisher, OnEvent, Outcome, type EventMeta } from '../src';
import { TestTopics, testCatalogue, type OrderPlacedV1, type TestCatalogue } from '../src/testing/test-catalogue';
import { FAST_CONSUMER } from './bus-fixtures';

export interface ServiceArgs {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  mode: 'ship' | 'hang';
}

export type ServiceReport =
  | { kind: 'ready'; pid: number }
  | { kind: 'started'; orderId: string; offset: string; attempt: number }
  | { kind: 'handled'; order: OrderPlacedV1; offset: string; key: string | null }
  | { kind: 'closed' }
  | { kind: 'failed'; error: string };

function report(msg: ServiceReport, then?: () => void): void {
  if (process.connected && process.send) process.send(msg, () => then?.());
  else then?.();
}

const args = JSON.parse(process.argv[2] ?? '{}') as ServiceArgs;

@Injectable()
class OrderShipper {
  // Explicit token: tsx (esbuild) emits no decorator metadata.
  public constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher<TestCatalogue>) {}

  @OnEvent(TestTopics.OrderPlaced)
  public async onOrderPlaced(order: OrderPlacedV1, meta: EventMeta): Promise<Outcome> {
    report({ kind: 'started', orderId: order.orderId, offset: meta.offset, attempt: meta.attempt });
    if (args.mode === 'hang') return new Promise<Outcome>(() => undefined);
    await this.publisher.publish(TestTopics.OrderShipped, {
      eventId: `${order.eventId}-shipped`,
      orderId: order.orderId,
      carrier: `pid-${process.pid}`,
    });
    report({ kind: 'handled', order: { ...order }, offset: meta.offset, key: meta.key });
    return Outcome.processed();
  }
}

async function main(): Promise<void> {
  @Module({
    imports: [
      BusModule.forRoot({
        catalogue: testCatalogue,
        kafka: { brokers: args.brokers, clientId: args.groupId, logLevel: 'nothing', requestTimeoutMs: 5000 },
        schemaRegistry: { url: args.registryUrl },
        groupId: args.groupId,
        consumer: FAST_CONSUMER,
        subscriptions: [TestTopics.OrderPlaced],
        handlerTimeoutMs: 60_000,
      }),
    ],
    providers: [OrderShipper],
  })
  class ServiceModule {}

  const app = await NestFactory.createApplicationContext(ServiceModule, { logger: ['error'] });
  await app.init();
  process.on('message', (cmd: unknown) => {
    if (cmd !== 'stop') return;
    app.close().then(
      () => report({ kind: 'closed' }, () => process.exit(0)),
      (err: unknown) => report({ kind: 'failed', error: String(err) }, () => process.exit(1)),
    );
  });
  // Never outlive the test run that forked us.
  process.on('disconnect', () => process.exit(0));
  report({ kind: 'ready', pid: process.pid });
}

main().catch((err: unknown) => report({ kind: 'failed', error: String(err) }, () => process.exit(1)));
