import { parseKafkaBusConfig } from './config';
import { BusConfigError } from './errors';
import { testCatalogue } from './testing/test-catalogue';

const valid = {
  kafka: { brokers: ['127.0.0.1:9092'], clientId: 'svc' },
  schemaRegistry: { url: 'http://127.0.0.1:8081' },
  groupId: 'svc',
};

describe('parseKafkaBusConfig', () => {
  it('should fill in production defaults', () => {
    const sut = parseKafkaBusConfig(valid, testCatalogue);
    expect(sut.retry).toEqual({ maxAttempts: 5, backoffBaseMs: 500, backoffMaxMs: 30_000 });
    expect(sut.handlerTimeoutMs).toBe(30_000);
    expect(sut.consumer.fromBeginning).toBe(true);
    expect(sut.validateOnPublish).toBe(true);
  });

  it('should list every problem in one BusConfigError', () => {
    const input = {
      kafka: { brokers: [], clientId: '' },
      schemaRegistry: { url: 'not a url' },
      groupId: 'svc',
      retry: { maxAttempts: 0 },
      handlerTimeoutMs: -1,
      consumer: { sessionTimeoutMs: 1000, heartbeatIntervalMs: 900, maxWaitTimeMs: 500 },
    };
    let err: unknown;
    try {
      parseKafkaBusConfig(input, testCatalogue);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BusConfigError);
    const problems = (err as BusConfigError).problems.join('\n');
    expect(problems).toContain('kafka.brokers');
    expect(problems).toContain('kafka.clientId');
    expect(problems).toContain('schemaRegistry.url');
    expect(problems).toContain('retry.maxAttempts');
    expect(problems).toContain('handlerTimeoutMs');
    expect(problems).toContain('maxWaitTimeMs + heartbeatIntervalMs must be below sessionTimeoutMs');
  });

  it('should refuse subscriptions to topics outside the catalogue', () => {
    expect(() => parseKafkaBusConfig({ ...valid, subscriptions: ['nope.v1'] }, testCatalogue)).toThrow(
      /'nope.v1' is not in the event catalogue/,
    );
  });

  it('should refuse a catalogue entry filed under the wrong topic', () => {
    const broken = { 'other.v1': testCatalogue['test.ping.v1'] };
    expect(() => parseKafkaBusConfig(valid, broken)).toThrow(/contract topic is 'test.ping.v1'/);
  });
});
