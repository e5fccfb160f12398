// The LogStore contract against every adapter: SQLite in a temp dir and in memory always, Elasticsearch with Docker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElasticsearchLogStore, SqliteLogStore } from '../src';
import { startFakeElasticsearch, type FakeElasticsearch } from './fake-elasticsearch';
import { describeLogStoreContract } from './log-store-contract';
import {
  CONTAINER_START_TIMEOUT_MS,
  describeWithDocker,
  startElasticsearch,
  uniqueName,
  type ElasticsearchServer,
} from './store-targets';

describe('sqlite (temp dir)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-log-store-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  describeLogStoreContract('sqlite file', () => new SqliteLogStore({ path: join(dir, `${uniqueName('logs-')}.db`) }));
});

describeLogStoreContract('sqlite :memory:', () => new SqliteLogStore({ path: ':memory:' }));

// Always: the Elasticsearch adapter and the real client against an in-process double of the ES APIs it calls.
describe('elasticsearch adapter (in-process fake server)', () => {
  let fake: FakeElasticsearch | undefined;
  beforeAll(async () => {
    fake = await startFakeElasticsearch();
  });
  afterAll(async () => {
    await fake?.stop();
  });
  describeLogStoreContract('elasticsearch adapter on a fake server', () => {
    if (!fake) throw new Error('fake Elasticsearch did not start');
    return new ElasticsearchLogStore({ url: fake.url, indexPrefix: `${uniqueName('t')}-` });
  });

  it('puts the index template and streams inside a point in time that it closes', async () => {
    if (!fake) throw new Error('fake Elasticsearch did not start');
    const store = new ElasticsearchLogStore({ url: fake.url, indexPrefix: 'probe-' });
    await store.connect();
    for await (const r of store.stream({ workloadId: 'w' })) throw new Error(`unexpected ${r.id}`);
    await store.close();
    expect(fake.requests).toEqual(
      expect.arrayContaining([
        'PUT /_index_template/probe-logs',
        'PUT /probe-logs',
        'POST /probe-logs/_pit',
        'POST /_search',
        'DELETE /_pit',
      ]),
    );
  });
});

describeWithDocker('elasticsearch (testcontainers)', () => {
  let server: ElasticsearchServer | undefined;
  beforeAll(async () => {
    server = await startElasticsearch();
  }, CONTAINER_START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
  });
  describeLogStoreContract('elasticsearch', () => {
    if (!server) throw new Error('Elasticsearch did not start');
    return new ElasticsearchLogStore({
      url: server.url,
      username: server.username,
      password: server.password,
      indexPrefix: `${uniqueName('t')}-`,
    });
  });
});

describe('elasticsearch adapter, server down at boot', () => {
  it('retries with backoff, then reports unavailable instead of crashing', async () => {
    const store = new ElasticsearchLogStore(
      {
        url: 'http://127.0.0.1:9',
        requestTimeoutMs: 2000,
        boot: { maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 },
      },
      { sleep: () => Promise.resolve() },
    );
    await expect(store.connect()).rejects.toMatchObject({ kind: 'unavailable', operation: 'connect', retryable: true });
    expect(await store.health()).toMatchObject({
      backend: 'elasticsearch',
      ready: false,
      state: 'unavailable',
      attempts: 2,
    });
    await expect(store.query({ workloadId: 'w', limit: 1 })).rejects.toMatchObject({ kind: 'unavailable' });
    await store.close();
  });
});
