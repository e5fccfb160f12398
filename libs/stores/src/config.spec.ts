import {
  elasticsearchConfigSchema,
  logStoreConfigSchema,
  mongodbConfigSchema,
  parseStoreConfig,
  runStoreConfigSchema,
  StoreConfigError,
} from './config';
import { createLogStore, createRunStore } from './factory';

describe('store config', () => {
  it('fills defaults', () => {
    expect(parseStoreConfig(mongodbConfigSchema, { url: 'mongodb://localhost:27017' })).toMatchObject({
      db: 'flywheel',
      operationTimeoutMs: 15_000,
      boot: { maxAttempts: 10 },
    });
    expect(parseStoreConfig(elasticsearchConfigSchema, { url: 'http://localhost:9200' })).toMatchObject({
      indexPrefix: 'flywheel-',
      refresh: 'wait_for',
    });
  });

  it('reports every problem with its path', () => {
    const err: unknown = (() => {
      try {
        parseStoreConfig(elasticsearchConfigSchema, { url: 'nope', indexPrefix: 'Upper', boot: { maxAttempts: 0 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as StoreConfigError).problems).toHaveLength(3);
    expect((err as StoreConfigError).problems.join('\n')).toMatch(/indexPrefix/);
  });

  it('picks the adapter from `kind`', () => {
    expect(parseStoreConfig(logStoreConfigSchema, { kind: 'sqlite', path: ':memory:' }).kind).toBe('sqlite');
    expect(() => parseStoreConfig(runStoreConfigSchema, { kind: 'elasticsearch', url: 'http://x' })).toThrow(
      StoreConfigError,
    );
    expect(createLogStore({ kind: 'elasticsearch', url: 'http://localhost:9200' }).backend).toBe('elasticsearch');
    expect(createRunStore({ kind: 'mongodb', url: 'mongodb://localhost:27017' }).backend).toBe('mongodb');
    expect(createRunStore({ kind: 'sqlite', path: ':memory:' }).backend).toBe('sqlite');
  });
});
