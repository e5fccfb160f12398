import {
  PlatformHttpError,
  PlatformJobError,
  PlatformNetworkError,
  PlatformNotFoundError,
  PlatformTimeoutError,
} from './errors';
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

describe('waitForJob when the platform cannot be asked', () => {
  let clock = 0;
  const runtime = { now: () => clock, sleep: (ms: number) => Promise.resolve(void (clock += ms)) };
  beforeEach(() => (clock = 0));

  function failing(errors: Error[], then: Partial<JobSnapshot>): () => Promise<JobSnapshot> {
    let i = 0;
    return () => {
      const err = errors[i++];
      if (err) return Promise.reject(err);
      return Promise.resolve({
        status: 'succeeded',
        rawStatus: 'completed',
        progress: 100,
        message: null,
        error: null,
        ...then,
      });
    };
  }

  it('rides out network errors, timeouts and 503s (a platform restarting mid-job)', async () => {
    const poll = failing(
      [
        new PlatformNetworkError('x.getJob', new Error('ECONNREFUSED')),
        new PlatformTimeoutError('x.getJob', 100),
        new PlatformHttpError('x.getJob', 503, 'Service Unavailable', ''),
      ],
      {},
    );
    await expect(waitForJob('x.wait', poll, { pollIntervalMs: 10 }, runtime)).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('reports an outage longer than the stall timeout as stalled, naming the last error', async () => {
    const down = (): Promise<JobSnapshot> =>
      Promise.reject(new PlatformNetworkError('x.getJob', new Error('ECONNREFUSED')));
    const err = await waitForJob('x.wait', down, { pollIntervalMs: 10, stallTimeoutMs: 50 }, runtime).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlatformJobError);
    expect((err as Error).message).toMatch(
      /^x\.wait failed: stalled: platform unreachable for \d+ ms: x\.getJob failed: network error/,
    );
  });

  it('does not ride out errors that are about the job (not found, bad response, 4xx)', async () => {
    const missing = new PlatformNotFoundError('x.getJob', 'job j');
    await expect(waitForJob('x.wait', failing([missing], {}), {}, runtime)).rejects.toBe(missing);
    const bad = new PlatformHttpError('x.getJob', 400, 'Bad Request', '');
    await expect(waitForJob('x.wait', failing([bad], {}), {}, runtime)).rejects.toBe(bad);
  });
});
