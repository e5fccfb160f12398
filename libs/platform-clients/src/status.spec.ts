import { isTerminal, normaliseStatus } from './status';

describe('normaliseStatus', () => {
  it.each([
    ['created', 'pending'],
    ['pending', 'pending'],
    ['running', 'running'],
    ['ready', 'succeeded'],
    ['completed', 'succeeded'],
    ['failed', 'failed'],
    ['cancelling', 'cancelled'],
    ['cancelled', 'cancelled'],
    ['CANCELED', 'cancelled'],
    ['In Progress', 'running'],
    ['Hibernating', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (raw, status) => {
    expect(normaliseStatus(raw)).toEqual({ status, raw });
  });

  it('treats undefined as unknown and only succeeded/failed/cancelled as terminal', () => {
    expect(normaliseStatus(undefined).status).toBe('unknown');
    expect(['pending', 'running', 'unknown'].map((s) => isTerminal(s as never))).toEqual([false, false, false]);
    expect(['succeeded', 'failed', 'cancelled'].map((s) => isTerminal(s as never))).toEqual([true, true, true]);
  });
});
