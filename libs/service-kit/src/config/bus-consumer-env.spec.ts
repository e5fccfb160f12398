import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busConsumerEnv, groupIdEnv, retryBackoffEnv } from './bus-consumer-env';
import { ConfigError } from './config-error';
import { defineEnv } from './define-env';
import { readJsonFile } from './json-file';

const bus = busConsumerEnv({
  prefix: 'WORKER',
  groupId: { default: 'worker', description: 'Consumer group.' },
  handlerTimeoutMs: { default: 60_000, min: 1000, description: 'Longest one handler may take.' },
  maxAttempts: { default: 4, min: 1, description: 'Attempts per record.' },
  backoff: { baseMs: 250, maxMs: 10_000 },
});
const workerEnv = defineEnv({ ...bus.vars }, (v, ctx) => bus.from(v, ctx));

const renamed = busConsumerEnv({
  prefix: 'AGG',
  groupId: { default: 'agg', description: 'Consumer group.' },
  handlerTimeoutMs: { default: 30_000, min: 100, description: 'Longest one event may take.' },
  maxAttempts: { default: 5, min: 1, description: 'Attempts per event.' },
  attemptsName: 'RETRY_MAX_ATTEMPTS',
  backoff: { baseMs: 500, maxMs: 30_000 },
});
const aggEnv = defineEnv({ ...renamed.vars }, (v, ctx) => renamed.from(v, ctx));

const backoff = retryBackoffEnv({ prefix: 'DEPLOY', baseMs: 1000, maxMs: 30_000 });
const deployEnv = defineEnv(
  { ...groupIdEnv({ prefix: 'DEPLOY', default: 'deployer', description: 'Consumer group.' }), ...backoff.vars },
  (v, ctx) => ({ groupId: v.DEPLOY_GROUP_ID, ...backoff.from(v, ctx) }),
);

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('busConsumerEnv', () => {
  it('declares the prefixed variables in order and maps their defaults', () => {
    expect(workerEnv.keys).toEqual([
      'WORKER_GROUP_ID',
      'WORKER_HANDLER_TIMEOUT_MS',
      'WORKER_MAX_ATTEMPTS',
      'WORKER_RETRY_BACKOFF_BASE_MS',
      'WORKER_RETRY_BACKOFF_MAX_MS',
    ]);
    expect(workerEnv.load({})).toEqual({
      groupId: 'worker',
      handlerTimeoutMs: 60_000,
      retry: { maxAttempts: 4, backoffBaseMs: 250, backoffMaxMs: 10_000 },
    });
  });

  it('reads set values and names the attempts variable as told', () => {
    expect(aggEnv.keys).toContain('AGG_RETRY_MAX_ATTEMPTS');
    expect(
      aggEnv.load({ AGG_GROUP_ID: 'g2', AGG_HANDLER_TIMEOUT_MS: '500', AGG_RETRY_MAX_ATTEMPTS: '2' }),
    ).toMatchObject({ groupId: 'g2', handlerTimeoutMs: 500, retry: { maxAttempts: 2, backoffBaseMs: 500 } });
  });

  it('lists every bad key: bounds, and a backoff maximum below its base', () => {
    expect(problemsOf(() => workerEnv.load({ WORKER_HANDLER_TIMEOUT_MS: '10', WORKER_MAX_ATTEMPTS: '0' }))).toEqual([
      expect.stringContaining('WORKER_HANDLER_TIMEOUT_MS'),
      expect.stringContaining('WORKER_MAX_ATTEMPTS'),
    ]);
    const problems = problemsOf(() =>
      workerEnv.load({ WORKER_RETRY_BACKOFF_BASE_MS: '2000', WORKER_RETRY_BACKOFF_MAX_MS: '1000' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('WORKER_RETRY_BACKOFF_MAX_MS');
    expect(problems[0]).toContain('must be >= WORKER_RETRY_BACKOFF_BASE_MS');
  });
});

describe('groupIdEnv and retryBackoffEnv', () => {
  it('map the group and the backoff on their own', () => {
    expect(deployEnv.load({ DEPLOY_RETRY_BACKOFF_MAX_MS: '5000' })).toEqual({
      groupId: 'deployer',
      backoffBaseMs: 1000,
      backoffMaxMs: 5000,
    });
    expect(problemsOf(() => deployEnv.load({ DEPLOY_RETRY_BACKOFF_MAX_MS: '10' }))).toEqual([
      expect.stringContaining('DEPLOY_RETRY_BACKOFF_MAX_MS'),
    ]);
  });
});

describe('readJsonFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'json-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the parsed document', () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, '{"a": [1, 2]}');
    expect(readJsonFile(path)).toEqual({ value: { a: [1, 2] } });
  });

  it('says why a file cannot be used: missing, or not JSON', () => {
    expect(readJsonFile(join(dir, 'missing.json'))).toMatch(/^cannot read .*missing\.json: /);
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{nope');
    expect(readJsonFile(path)).toMatch(/bad\.json is not JSON: /);
  });
});
