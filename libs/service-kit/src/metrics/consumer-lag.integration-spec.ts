// GET /metrics of a service on the Kafka bus (embedded broker and schema registry): the consumer lag gauge rises
// to N while the service's handler is stuck on the first of N records (no batch completes, so only the probe can
// report it) and falls back to 0 once the handler is released and the records are committed.
import { Injectable, Module } from '@nestjs/common';
import { BusModule, EventPublisher, OnEvent, Outcome } from '@flywheel/bus';
import { type EventContract } from '@flywheel/contracts';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { startHttpService, type HttpService } from '../bootstrap';
import { ServiceKitModule } from '../service-kit.module';

const TICK = 'test.lag-tick.v1';
interface TickV1 {
  eventId: string;
}
const tickContract: EventContract<typeof TICK, TickV1> = {
  topic: TICK,
  subject: `${TICK}-value`,
  schema: {
    type: 'record',
    name: 'Tick',
    namespace: 'flywheel.test.v1',
    fields: [{ name: 'eventId', type: 'string' }],
  },
  keyOf: (e) => e.eventId,
  validate: () => [],
};
const catalogue = { [TICK]: tickContract } as const;
const N = 6;

let kafka: EmbeddedKafka;
let registry: EmbeddedSchemaRegistry;
let service: HttpService | undefined;

beforeEach(async () => {
  kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  registry = await startEmbeddedSchemaRegistry();
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await registry.stop();
  await kafka.stop();
});

async function lagOnMetrics(url: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('flywheel_consumer_lag_records{') && l.includes('group="lag-svc"'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('consumer lag on /metrics (Kafka)', () => {
  it('should rise to N while the handler is stuck and fall to 0 once the records are committed', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;

    @Injectable()
    class StuckHandler {
      @OnEvent(TICK)
      public async onTick(): Promise<Outcome> {
        await released;
        handled += 1;
        return Outcome.processed();
      }
    }

    @Module({
      imports: [
        ServiceKitModule.forRoot({ serviceName: 'lag-svc', defaultMetrics: false, consumerLag: { intervalMs: 200 } }),
        BusModule.forRoot({
          catalogue,
          kafka: {
            brokers: kafka.bootstrapServers,
            clientId: 'lag-svc',
            connectionTimeoutMs: 1000,
            requestTimeoutMs: 5000,
            retry: { initialRetryTimeMs: 50, maxRetryTimeMs: 1000, retries: 5 },
            logLevel: 'nothing',
          },
          schemaRegistry: { url: registry.url },
          groupId: 'lag-svc',
          consumer: {
            sessionTimeoutMs: 3000,
            rebalanceTimeoutMs: 3000,
            heartbeatIntervalMs: 100,
            maxWaitTimeMs: 100,
            metadataMaxAgeMs: 1000,
          },
          handlerTimeoutMs: 60_000,
          topics: { partitions: 1 },
        }),
      ],
      providers: [StuckHandler],
    })
    class AppModule {}

    service = await startHttpService(AppModule, { name: 'lag-svc', host: '127.0.0.1', port: 0, logLevels: [] });
    const publisher = service.app.get<EventPublisher<typeof catalogue>>(EventPublisher);
    for (let i = 0; i < N; i++) await publisher.publish(TICK, { eventId: `tick-${i}` });

    await until(async () => (await lagOnMetrics(service!.url)) === N, `lag ${N} on /metrics`);
    release();
    await until(async () => handled === N, `${N} records handled`);
    await until(async () => (await lagOnMetrics(service!.url)) === 0, 'lag 0 on /metrics');
  });
});
