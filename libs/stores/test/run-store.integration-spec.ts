// The RunStore contract against every adapter: SQLite in a temp dir and in memory always, MongoDB with Docker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoRunStore, SqliteRunStore } from '../src';
import { describeRunStoreContract } from './run-store-contract';
import {
  CONTAINER_START_TIMEOUT_MS,
  describeWithDocker,
  startMongo,
  uniqueName,
  type MongoServer,
} from './store-targets';

describe('sqlite (temp dir)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-run-store-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  describeRunStoreContract('sqlite file', () => new SqliteRunStore({ path: join(dir, `${uniqueName('runs-')}.db`) }));
});

describeRunStoreContract('sqlite :memory:', () => new SqliteRunStore({ path: ':memory:' }));

describeWithDocker('mongodb (testcontainers)', () => {
  let server: MongoServer | undefined;
  beforeAll(async () => {
    server = await startMongo();
  }, CONTAINER_START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
  });
  describeRunStoreContract('mongodb', () => {
    if (!server) throw new Error('MongoDB did not start');
    return new MongoRunStore({ url: server.url, db: uniqueName('t') });
  });
});

describe('mongodb adapter, server down at boot', () => {
  it('retries with backoff, then reports unavailable instead of crashing', async () => {
    const store = new MongoRunStore(
      {
        url: 'mongodb://127.0.0.1:9/?directConnection=true',
        operationTimeoutMs: 500,
        boot: { maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 },
      },
      { sleep: () => Promise.resolve() },
    );
    await expect(store.connect()).rejects.toMatchObject({ kind: 'unavailable', operation: 'connect', retryable: true });
    expect(await store.health()).toMatchObject({ backend: 'mongodb', ready: false, state: 'unavailable', attempts: 2 });
    await expect(store.getRun('r1')).rejects.toMatchObject({ kind: 'unavailable', operation: 'get' });
    await store.close();
  });
});
