import { ConfigError } from './config-error';
import { defineEnv } from './define-env';
import {
  logStoreBootEnv,
  logStoreConfigFrom,
  logStoreEnv,
  runStoreConfigFrom,
  runStoreEnv,
  storeBootFrom,
} from './store-env';

const storesEnv = defineEnv(
  {
    ...runStoreEnv(),
    ...logStoreEnv({ sqlitePathDescription: 'SQLite file of the log store.' }),
    ...logStoreBootEnv(),
  },
  (v, ctx) => {
    const boot = storeBootFrom(v.LOG_STORE_BOOT_MAX_ATTEMPTS);
    return { runStore: runStoreConfigFrom(v, boot, ctx), logStore: logStoreConfigFrom(v, boot, ctx) };
  },
);

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    storesEnv.load(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('store env fragments', () => {
  it('should default to the embedded SQLite stores under .data/', () => {
    expect(storesEnv.load({})).toEqual({
      runStore: { kind: 'sqlite', path: '.data/stores/runs.db', boot: { maxAttempts: 10 } },
      logStore: { kind: 'sqlite', path: '.data/stores/logs.db', boot: { maxAttempts: 10 } },
    });
  });

  it('should map the production backends, with the secret password hidden when printed', () => {
    const source = {
      RUN_STORE_KIND: 'mongodb',
      MONGODB_URL: 'mongodb://mongo:27017',
      MONGODB_DB: 'fw',
      LOG_STORE_KIND: 'elasticsearch',
      ELASTICSEARCH_URL: 'http://es:9200',
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'pa55word',
      LOG_STORE_BOOT_MAX_ATTEMPTS: '3',
    };
    expect(storesEnv.load(source)).toEqual({
      runStore: { kind: 'mongodb', url: 'mongodb://mongo:27017', db: 'fw', boot: { maxAttempts: 3 } },
      logStore: {
        kind: 'elasticsearch',
        url: 'http://es:9200',
        indexPrefix: 'flywheel-',
        username: 'elastic',
        password: 'pa55word',
        boot: { maxAttempts: 3 },
      },
    });
    expect(storesEnv.describe(source)).toContain('ELASTICSEARCH_PASSWORD=<redacted>');
    expect(storesEnv.describe(source).join('\n')).not.toContain('pa55word');
  });

  it('should require the URL of a production backend, by key', () => {
    expect(problemsOf({ RUN_STORE_KIND: 'mongodb', LOG_STORE_KIND: 'elasticsearch' })).toEqual([
      'MONGODB_URL: required when RUN_STORE_KIND=mongodb',
      'ELASTICSEARCH_URL: required when LOG_STORE_KIND=elasticsearch',
    ]);
  });

  it('should report what the store itself would refuse at boot against the variable it came from', () => {
    expect(
      problemsOf({
        RUN_STORE_KIND: 'mongodb',
        MONGODB_URL: 'http://mongo:27017',
        LOG_STORE_KIND: 'elasticsearch',
        ELASTICSEARCH_URL: 'http://es:9200',
        ELASTICSEARCH_INDEX_PREFIX: 'Flywheel-',
      }),
    ).toEqual([
      'MONGODB_URL: url must be a mongodb:// or mongodb+srv:// URL',
      'ELASTICSEARCH_INDEX_PREFIX: indexPrefix must be lowercase letters, digits, _ . -',
    ]);
  });

  it('should check the kinds and the boot attempts', () => {
    expect(
      problemsOf({ RUN_STORE_KIND: 'postgres', LOG_STORE_KIND: 'mysql', LOG_STORE_BOOT_MAX_ATTEMPTS: '0' }),
    ).toEqual([
      'RUN_STORE_KIND: must be one of sqlite, mongodb (got "postgres")',
      'LOG_STORE_KIND: must be one of sqlite, elasticsearch (got "mysql")',
      'LOG_STORE_BOOT_MAX_ATTEMPTS: must be at least 1 (got "0")',
    ]);
  });

  it('should pass refresh through only when the service sets it', () => {
    const v = {
      LOG_STORE_KIND: 'elasticsearch' as const,
      LOG_STORE_SQLITE_PATH: 'unused.db',
      ELASTICSEARCH_URL: 'http://es:9200',
      ELASTICSEARCH_INDEX_PREFIX: 'flywheel-',
    };
    const ctx = {
      problem: (key: string, message: string) => {
        throw new Error(`unexpected problem ${key}: ${message}`);
      },
    };
    expect(logStoreConfigFrom(v, {}, ctx, { refresh: false })).toMatchObject({ refresh: false });
    expect(logStoreConfigFrom(v, {}, ctx)).not.toHaveProperty('refresh');
  });
});

describe('storeBootFrom', () => {
  it('should use the service backoff with its cap held to 10 s, never below the base', () => {
    expect(storeBootFrom(5, { baseMs: 250, maxMs: 30_000 })).toEqual({
      maxAttempts: 5,
      backoffBaseMs: 250,
      backoffMaxMs: 10_000,
    });
    expect(storeBootFrom(5, { baseMs: 250, maxMs: 2000 })).toMatchObject({ backoffMaxMs: 2000 });
    expect(storeBootFrom(5, { baseMs: 20_000, maxMs: 30_000 })).toMatchObject({ backoffMaxMs: 20_000 });
  });

  it('should leave the backoff to the store defaults when the service gives none', () => {
    expect(storeBootFrom(7)).toEqual({ maxAttempts: 7 });
  });
});
