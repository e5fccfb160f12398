import { backoffMs, BootState } from './boot';
import { StoreError } from './errors';

const retry = { maxAttempts: 4, backoffBaseMs: 100, backoffMaxMs: 300 };

describe('BootState', () => {
  it('retries a store that is down with capped exponential backoff, then reports ready', async () => {
    const sleeps: number[] = [];
    const boot = new BootState('mongodb', retry, (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    });
    let calls = 0;
    await boot.connect(() => {
      calls += 1;
      if (calls < 4) throw new Error('ECONNREFUSED');
    });
    expect(sleeps).toEqual([100, 200, 300]);
    expect(boot.health()).toEqual({ backend: 'mongodb', state: 'ready', ready: true, attempts: 4, lastError: null });
  });

  it('gives up after the last attempt with a retryable error and reports unavailable (no crash loop)', async () => {
    const boot = new BootState('elasticsearch', retry, () => Promise.resolve());
    const err: unknown = await boot
      .connect(() => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ operation: 'connect', backend: 'elasticsearch', kind: 'unavailable', retryable: true });
    expect(boot.health()).toMatchObject({ state: 'unavailable', ready: false, attempts: 4 });
    expect(boot.health().lastError).toContain('ECONNREFUSED');
    expect(() => boot.requireReady('query')).toThrow(StoreError);
    // A later connect() tries again from scratch.
    await boot.connect(() => undefined);
    expect(boot.health().ready).toBe(true);
  });

  it('shares one boot between concurrent callers', async () => {
    const boot = new BootState('sqlite', retry, () => Promise.resolve());
    let calls = 0;
    await Promise.all([boot.connect(() => void (calls += 1)), boot.connect(() => void (calls += 1))]);
    expect(calls).toBe(1);
  });

  it('stops retrying once closed', async () => {
    let release: () => void = () => undefined;
    const boot = new BootState('mongodb', retry, () => new Promise<void>((resolve) => (release = resolve)));
    const connecting = boot
      .connect(() => {
        throw new Error('down');
      })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    boot.markClosed();
    release();
    expect(await connecting).toMatchObject({ kind: 'unavailable' });
    expect(boot.health().state).toBe('closed');
  });

  it('computes backoff per attempt', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(retry, n))).toEqual([100, 200, 300, 300]);
  });
});
