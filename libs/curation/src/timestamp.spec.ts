import { dedupe } from './dedupe';
import { chatRecord } from './testing/log-records';
import { timestampToIso, timestampToMs } from './timestamp';

describe('blueprint bug 11: epoch-second timestamps read as epoch milliseconds', () => {
  it('reads integer epoch seconds as seconds (2026, not 1970)', () => {
    expect(timestampToIso(1767225600)).toBe('2026-01-01T00:00:00.000Z');
    expect(timestampToIso('1767225600')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('still accepts epoch milliseconds and ISO strings', () => {
    expect(timestampToIso(1767225600123)).toBe('2026-01-01T00:00:00.123Z');
    expect(timestampToMs('2026-01-01T00:00:01Z')).toBe(1767225601000);
  });

  it('orders seconds and ISO timestamps together, so dedupe keeps the truly newest record', () => {
    const seconds = chatRecord({ user: 'q', reply: 'seconds', timestamp: 1767225700 });
    const iso = chatRecord({ user: 'q', reply: 'iso', timestamp: '2026-01-01T00:00:30Z' });
    const toCurated = (record: typeof seconds, i: number) => ({
      record,
      inputIndex: i,
      timeMs: timestampToMs(record.timestamp),
      toolName: 'no_tool',
      parseArguments: false,
    });
    expect(dedupe([toCurated(iso, 0), toCurated(seconds, 1)]).kept[0]?.record).toBe(seconds);
  });

  it('unreadable timestamps sort last instead of throwing', () => {
    expect(timestampToMs(undefined)).toBe(Number.NEGATIVE_INFINITY);
    expect(timestampToMs('yesterday')).toBe(Number.NEGATIVE_INFINITY);
    expect(timestampToIso({})).toBeNull();
  });
});
