import { StateSaver } from './state-saver';

describe('StateSaver (group commit of the data dir)', () => {
  it('saves once for the requests that ask together, and again for a change after that save', async () => {
    const saved: number[] = [];
    let version = 0;
    const saver = new StateSaver(() => saved.push(version), 0);
    version = 1;
    const first = [saver.saved(), saver.saved(), saver.saved()];
    await Promise.all(first);
    expect(saved).toEqual([1]);
    version = 2;
    await saver.saved();
    expect(saved).toEqual([1, 2]);
  });

  it('includes every change made before a request asked, even one made while a save was scheduled', async () => {
    const saved: number[] = [];
    let version = 1;
    const saver = new StateSaver(() => saved.push(version), 0);
    const a = saver.saved();
    version = 2; // a second request changes the state before the save runs: its answer waits for the same save
    const b = saver.saved();
    await Promise.all([a, b]);
    expect(saved).toEqual([2]);
  });

  it('keeps saves apart by the spacing under load, and answers a lone request without waiting for it', async () => {
    let now = 1_000;
    const times: number[] = [];
    const saver = new StateSaver(
      () => times.push(now),
      50,
      () => now,
    );
    await saver.saved();
    now += 10;
    const started = Date.now();
    const next = saver.saved();
    now += 40; // the clock the saver reads: the save may run once 50 ms have passed since the last
    await next;
    expect(times).toEqual([1_000, 1_050]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('fails every request of a failed save with its error, and saves again on the next request', async () => {
    let fail = true;
    const saver = new StateSaver(() => {
      if (fail) throw new Error('disk full');
    }, 0);
    const results = await Promise.allSettled([saver.saved(), saver.saved()]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'disk full',
      'disk full',
    ]);
    fail = false;
    await expect(saver.saved()).resolves.toBeUndefined();
  });
});
