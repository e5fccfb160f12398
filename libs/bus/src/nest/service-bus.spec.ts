import { parseKafkaBusConfig } from '../config';
import { EventPublisher } from '../ports';
import { TestTopics, testCatalogue } from '../testing/test-catalogue';
import { BusModule, serviceBusOptions, type ServiceBusSettings } from './bus.module';

const settings: ServiceBusSettings = {
  kafka: { brokers: ['127.0.0.1:9092'], clientId: 'svc' },
  schemaRegistryUrl: 'http://127.0.0.1:8081',
  groupId: 'svc',
  consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
};

describe('BusModule.forService', () => {
  it("maps a service's settings onto the bus config, with its subscriptions", () => {
    const config = parseKafkaBusConfig(
      serviceBusOptions(
        testCatalogue,
        { ...settings, retry: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 100 }, handlerTimeoutMs: 5000 },
        [TestTopics.OrderPlaced],
      ),
      testCatalogue,
    );
    expect(config).toMatchObject({
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'svc' },
      schemaRegistry: { url: 'http://127.0.0.1:8081' },
      groupId: 'svc',
      subscriptions: [TestTopics.OrderPlaced],
      retry: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 100 },
      handlerTimeoutMs: 5000,
      consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
    });
  });

  it('waits for a rebalance as long as a session, at least 10 s, instead of kafkajs 60 s', () => {
    const short = serviceBusOptions(testCatalogue, settings, []);
    expect(short.consumer?.rebalanceTimeoutMs).toBe(10_000);
    const long = serviceBusOptions(
      testCatalogue,
      { ...settings, consumer: { ...settings.consumer, sessionTimeoutMs: 45_000 } },
      [],
    );
    expect(long.consumer?.rebalanceTimeoutMs).toBe(45_000);
  });

  it('leaves retry and handler timeout at the bus defaults when the service sets none', () => {
    const config = parseKafkaBusConfig(serviceBusOptions(testCatalogue, settings, []), testCatalogue);
    expect(config.retry).toEqual({ maxAttempts: 5, backoffBaseMs: 500, backoffMaxMs: 30_000 });
    expect(config.handlerTimeoutMs).toBe(30_000);
  });

  it('is a global bus module exporting the publisher', () => {
    const module = BusModule.forService(testCatalogue, settings, [TestTopics.OrderPlaced]);
    expect(module.global).toBe(true);
    expect(module.exports).toContain(EventPublisher);
  });
});
