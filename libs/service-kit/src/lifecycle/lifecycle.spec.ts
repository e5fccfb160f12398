import { retryUntil } from './retry-until';
import { installShutdownHandlers } from './shutdown';

describe('retryUntil', () => {
  it('should retry a failing step with capped exponential backoff until it succeeds', async () => {
    const delays: number[] = [];
    const result = await retryUntil(
      async (attempt) => {
        if (attempt < 5) throw new Error(`down ${attempt}`);
        return `up after ${attempt}`;
      },
      { backoffBaseMs: 1, backoffMaxMs: 4, onFailure: (_attempt, _err, delay) => delays.push(delay) },
    );
    expect(result).toBe('up after 5');
    expect(delays).toEqual([1, 2, 4, 4]);
  });

  it('should give up quietly when its signal aborts', async () => {
    const stop = new AbortController();
    let attempts = 0;
    const running = retryUntil(
      async () => {
        attempts += 1;
        throw new Error('down');
      },
      { backoffBaseMs: 60_000, backoffMaxMs: 60_000, signal: stop.signal },
    );
    await new Promise((r) => setImmediate(r));
    stop.abort();
    expect(await running).toBeUndefined();
    expect(attempts).toBe(1);
  });
});

describe('installShutdownHandlers', () => {
  it('should close the app on SIGTERM and exit 0', async () => {
    const exits: number[] = [];
    let closed = false;
    const remove = installShutdownHandlers(
      { close: async () => void (closed = true) },
      { timeoutMs: 1000, log: () => undefined, exit: (c) => exits.push(c), signals: ['SIGUSR2'] },
    );
    try {
      process.emit('SIGUSR2');
      await new Promise((r) => setTimeout(r, 10));
      expect(closed).toBe(true);
      expect(exits).toEqual([0]);
    } finally {
      remove();
    }
  });

  it('should exit 1 when closing outlives the deadline, and at once on a second signal', async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const remove = installShutdownHandlers(
      { close: () => new Promise(() => undefined) },
      { timeoutMs: 20, log: (l) => lines.push(l), exit: (c) => exits.push(c), signals: ['SIGUSR2'] },
    );
    try {
      process.emit('SIGUSR2');
      await new Promise((r) => setTimeout(r, 60));
      expect(exits).toEqual([1]);
      process.emit('SIGUSR2');
      expect(exits).toEqual([1, 1]);
      expect(lines).toEqual([
        'SIGUSR2: shutting down (at most 20 ms)',
        'shutdown did not finish within 20 ms: exiting',
        'SIGUSR2 again: exiting without waiting',
      ]);
    } finally {
      remove();
    }
  });
});
