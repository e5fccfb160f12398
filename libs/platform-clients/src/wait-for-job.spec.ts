import { PlatformJobError } from './errors';
import { type JobSnapshot } from './ports/jobs';
import { waitForJob } from './wait-for-job';

function script(...snapshots: Partial<JobSnapshot>[]): () => Promise<JobSnapshot> {
  let i = 0;
  return () => {
    const s = snapshots[Math.min(i++, snapshots.length - 1)];
    return Promise.resolve({ status: 'pending', rawStatus: '', progress: null, message: null, error: null, ...s });
  };
}

describe('waitForJob', () => {
  let clock = 0;
  const runtime = { now: () => clock, sleep: (ms: number) => Promise.resolve(void (clock += ms)) };
  beforeEach(() => (clock = 0));

  it('waits through pending and unknown, returns on succeeded', async () => {
    const done = await waitForJob(
      't',
      script(
        { status: 'pending' },
        { status: 'unknown' },
        { status: 'running', progress: 50 },
        { status: 'succeeded' },
      ),
      {},
      runtime,
    );
    expect(done.status).toBe('succeeded');
  });

  it('fails at once on failed with the platform detail, and on cancelled', async () => {
    await expect(waitForJob('c', script({ status: 'failed', error: 'OOM' }), {}, runtime)).rejects.toThrow(
      'c failed: failed: OOM',
    );
    await expect(
      waitForJob('c', script({ status: 'cancelled', rawStatus: 'cancelling' }), {}, runtime),
    ).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('fails as stalled when progress stops, as insufficient resources when starved', async () => {
    const stalled = waitForJob(
      'c',
      script({ status: 'running', progress: 10 }),
      { pollIntervalMs: 10, stallTimeoutMs: 100 },
      runtime,
    );
    await expect(stalled).rejects.toMatchObject({ reason: 'stalled' });
    const starved = waitForJob(
      'c',
      script({ status: 'pending', message: 'NotEnoughResources' }),
      { pollIntervalMs: 10, stallTimeoutMs: 100 },
      runtime,
    );
    await expect(starved).rejects.toBeInstanceOf(PlatformJobError);
    await expect(starved).rejects.toMatchObject({ reason: 'insufficient-resources' });
  });

  it('resets the stall timer while progress rises, but keeps the overall deadline', async () => {
    let p = 0;
    const rising = (): Promise<JobSnapshot> =>
      Promise.resolve({ status: 'running', rawStatus: 'running', progress: ++p, message: null, error: null });
    await expect(
      waitForJob('c', rising, { pollIntervalMs: 10, stallTimeoutMs: 15, timeoutMs: 200 }, runtime),
    ).rejects.toMatchObject({ reason: 'timeout' });
  });
});
