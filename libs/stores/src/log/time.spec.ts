import { toEpochMillis } from './time';

describe('toEpochMillis', () => {
  const ms = Date.UTC(2025, 5, 1, 12, 0, 0);

  it('reads small numbers as epoch seconds and large ones as millis', () => {
    expect(toEpochMillis(ms / 1000)).toBe(ms);
    expect(toEpochMillis(ms)).toBe(ms);
    expect(toEpochMillis(ms / 1000 + 0.5)).toBe(ms + 500);
  });

  it('reads numeric strings like numbers, and ISO strings and Dates as instants', () => {
    expect(toEpochMillis(String(ms / 1000))).toBe(ms);
    expect(toEpochMillis(String(ms))).toBe(ms);
    expect(toEpochMillis('2025-06-01T12:00:00Z')).toBe(ms);
    expect(toEpochMillis('2025-06-01T14:00:00+02:00')).toBe(ms);
    expect(toEpochMillis(new Date(ms))).toBe(ms);
  });

  it('rejects what is not a time with a RangeError', () => {
    expect(() => toEpochMillis('yesterday-ish')).toThrow(RangeError);
    expect(() => toEpochMillis(Number.NaN)).toThrow(RangeError);
    expect(() => toEpochMillis(new Date('nope'))).toThrow(RangeError);
  });
});
