import { readConnectionDefaults, resolveConnection } from './config';
import { CliError } from './errors';

describe('connection config', () => {
  it('defaults to what `npm run kafka` starts', () => {
    expect(readConnectionDefaults({})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      schemaRegistryUrl: 'http://127.0.0.1:8081',
    });
  });

  it('reads FLYWHEEL_KAFKA_BROKERS and FLYWHEEL_SCHEMA_REGISTRY_URL, treating empty values as unset', () => {
    expect(
      readConnectionDefaults({
        FLYWHEEL_KAFKA_BROKERS: 'k1:9092, k2:9093',
        FLYWHEEL_SCHEMA_REGISTRY_URL: 'https://registry.example.com/',
      }),
    ).toEqual({ kafkaBrokers: ['k1:9092', 'k2:9093'], schemaRegistryUrl: 'https://registry.example.com' });
    expect(readConnectionDefaults({ FLYWHEEL_KAFKA_BROKERS: ' ' }).kafkaBrokers).toEqual(['127.0.0.1:9092']);
  });

  it('names every bad variable at once', () => {
    const read = () =>
      readConnectionDefaults({ FLYWHEEL_KAFKA_BROKERS: 'nohostport', FLYWHEEL_SCHEMA_REGISTRY_URL: 'ftp://x' });
    expect(read).toThrow(CliError);
    expect(read).toThrow(/FLYWHEEL_KAFKA_BROKERS: expected host:port.*FLYWHEEL_SCHEMA_REGISTRY_URL: expected an http/);
  });

  it('validates the flags and names each bad one', () => {
    expect(
      resolveConnection({ brokers: 'a:1,[::1]:9092', schemaRegistryUrl: 'http://r:8081', timeout: '2.5' }),
    ).toEqual({
      kafkaBrokers: ['a:1', '[::1]:9092'],
      schemaRegistryUrl: 'http://r:8081',
      timeoutMs: 2500,
    });
    expect(() => resolveConnection({ brokers: 'a:99999', schemaRegistryUrl: 'nope', timeout: '0' })).toThrow(
      /--brokers: expected host:port; --schema-registry-url: .*; --timeout: expected a positive number/,
    );
  });
});
