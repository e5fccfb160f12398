import { DEFAULT_RETRY_POLICY, backoffDelayMs, backoffSchedule, sleep } from './retry-policy';

describe('retry policy', () => {
  it('should default to 5 attempts with delays doubling from 500 ms', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(5);
    expect(backoffSchedule(DEFAULT_RETRY_POLICY)).toEqual([500, 1000, 2000, 4000]);
  });

  it('should cap each delay at backoffMaxMs', () => {
    const sut = { maxAttempts: 8, backoffBaseMs: 100, backoffMaxMs: 1000 };
    expect(backoffSchedule(sut)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('should not retry at all when maxAttempts is 1', () => {
    expect(backoffSchedule({ maxAttempts: 1, backoffBaseMs: 100, backoffMaxMs: 100 })).toEqual([]);
  });

  it('should not overflow for very late attempts', () => {
    expect(backoffDelayMs({ maxAttempts: 5000, backoffBaseMs: 10, backoffMaxMs: 60_000 }, 4000)).toBe(60_000);
  });

  it('should cut a sleep short when its signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, abort.signal);
    abort.abort();
    await expect(slept).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(sleep(1, abort.signal)).resolves.toBe(false);
    await expect(sleep(1)).resolves.toBe(true);
  });
});
