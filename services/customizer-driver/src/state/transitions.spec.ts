import { canMove, CUSTOMIZATION_STATUSES, isTerminalStatus, predecessorsOf } from './transitions';

describe('customization lifecycle', () => {
  it('leaves terminal states never', () => {
    for (const terminal of ['completed', 'failed', 'cancelled'] as const) {
      expect(isTerminalStatus(terminal)).toBe(true);
      for (const to of CUSTOMIZATION_STATUSES) expect(canMove(terminal, to)).toBe(false);
    }
  });

  it('cancels from any open state, and a cancelling row only ends cancelled', () => {
    expect(predecessorsOf('cancelling')).toEqual(['waiting', 'creating', 'running']);
    expect(predecessorsOf('cancelled')).toEqual(['cancelling']);
    expect(canMove('cancelling', 'completed')).toBe(false);
    expect(canMove('cancelling', 'failed')).toBe(false);
  });

  it('completes only a running job, and retries a creation by going back to waiting', () => {
    expect(predecessorsOf('completed')).toEqual(['running']);
    expect(canMove('creating', 'waiting')).toBe(true);
    expect(canMove('running', 'waiting')).toBe(false);
  });
});
