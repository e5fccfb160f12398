import { ConfigError } from './config-error';
import { defineEnv } from './define-env';
import {
  httpEnv,
  kafkaConfigFrom,
  kafkaConsumerFrom,
  kafkaEnv,
  kafkaFetchEnv,
  logLevelEnv,
  logLevelsFrom,
  schemaRegistryEnv,
  shutdownEnv,
} from './common-env';

const serviceEnv = defineEnv(
  {
    ...httpEnv({ port: 8123, portDescription: 'HTTP port of the test service.' }),
    ...kafkaEnv({ clientId: 'test-service' }),
    ...kafkaFetchEnv(),
    ...schemaRegistryEnv(),
    ...shutdownEnv(),
    ...logLevelEnv(),
  },
  (v, ctx) => ({
    http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
    kafka: kafkaConfigFrom(v),
    consumer: kafkaConsumerFrom(v, ctx),
    fetch: [v.KAFKA_FETCH_MAX_BYTES, v.KAFKA_FETCH_MAX_BYTES_PER_PARTITION],
    schemaRegistryUrl: v.SCHEMA_REGISTRY_URL,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    logLevels: logLevelsFrom(v),
  }),
);

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    serviceEnv.load(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('common env fragments', () => {
  it('should run with no settings against the dev stack, with the per-service defaults given', () => {
    expect(serviceEnv.load({})).toEqual({
      http: { host: '127.0.0.1', port: 8123 },
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'test-service',
        connectionTimeoutMs: 3000,
        requestTimeoutMs: 30_000,
        logLevel: 'error',
      },
      consumer: { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000, maxWaitTimeMs: 500 },
      fetch: [8 * 1024 * 1024, 2 * 1024 * 1024],
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      shutdownTimeoutMs: 30_000,
      logLevels: ['error', 'warn', 'log'],
    });
  });

  it('should read every variable it defines', () => {
    const config = serviceEnv.load({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '9000',
      KAFKA_BROKERS: 'a:1,b:2',
      KAFKA_CLIENT_ID: 'other',
      KAFKA_CONNECTION_TIMEOUT_MS: '100',
      KAFKA_REQUEST_TIMEOUT_MS: '200',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      KAFKA_MAX_WAIT_MS: '50',
      KAFKA_LOG_LEVEL: 'debug',
      KAFKA_FETCH_MAX_BYTES: '1024',
      KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '512',
      SCHEMA_REGISTRY_URL: 'http://registry:8081',
      SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'verbose',
    });
    expect(config).toEqual({
      http: { host: '0.0.0.0', port: 9000 },
      kafka: {
        brokers: ['a:1', 'b:2'],
        clientId: 'other',
        connectionTimeoutMs: 100,
        requestTimeoutMs: 200,
        logLevel: 'debug',
      },
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, maxWaitTimeMs: 50 },
      fetch: [1024, 512],
      schemaRegistryUrl: 'http://registry:8081',
      shutdownTimeoutMs: 5000,
      logLevels: ['error', 'warn', 'log', 'debug', 'verbose'],
    });
  });

  it('should name every bad variable of the fragments at once', () => {
    expect(
      problemsOf({
        HTTP_PORT: '70000',
        KAFKA_BROKERS: 'a:1,,b:2',
        KAFKA_REQUEST_TIMEOUT_MS: '0',
        KAFKA_LOG_LEVEL: 'loud',
        SCHEMA_REGISTRY_URL: 'registry',
        SHUTDOWN_TIMEOUT_MS: '10',
        LOG_LEVEL: 'fatal',
      }),
    ).toEqual([
      'HTTP_PORT: must be at most 65535 (got "70000")',
      'KAFKA_BROKERS: must be a comma-separated list without empty items (got "a:1,,b:2")',
      'KAFKA_REQUEST_TIMEOUT_MS: must be at least 1 (got "0")',
      'KAFKA_LOG_LEVEL: must be one of nothing, error, warn, info, debug (got "loud")',
      'SCHEMA_REGISTRY_URL: must be a URL (got "registry")',
      'SHUTDOWN_TIMEOUT_MS: must be at least 100 (got "10")',
      'LOG_LEVEL: must be one of error, warn, log, debug, verbose (got "fatal")',
    ]);
  });

  it('should refuse a session timeout that a fetch wait plus a heartbeat would outlast', () => {
    expect(problemsOf({ KAFKA_SESSION_TIMEOUT_MS: '3500' })).toEqual([
      'KAFKA_SESSION_TIMEOUT_MS: must exceed KAFKA_MAX_WAIT_MS + KAFKA_HEARTBEAT_INTERVAL_MS',
    ]);
    expect(serviceEnv.load({ KAFKA_SESSION_TIMEOUT_MS: '3501' }).consumer.sessionTimeoutMs).toBe(3501);
  });

  it('should document every variable it adds', () => {
    const undocumented = Object.entries(serviceEnv.shape)
      .filter(([, schema]) => (schema.description ?? '').length === 0)
      .map(([key]) => key);
    expect(undocumented).toEqual([]);
    expect(serviceEnv.shape.HTTP_PORT.description).toBe('HTTP port of the test service.');
  });
});
