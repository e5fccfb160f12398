// Time bounds arrive as epoch seconds (the blueprint's loader), epoch millis (the catalogue) or ISO strings. A bare
// number below 1e11 is read as seconds: 1e11 ms is March 1973, 1e11 s is the year 5138, so no real time is ambiguous.
export type TimeInput = number | string | Date;

const SECONDS_BELOW = 1e11;

export function toEpochMillis(input: TimeInput): number {
  if (input instanceof Date) return checked(input.getTime(), input);
  if (typeof input === 'number') return checked(numberToMillis(input), input);
  const trimmed = input.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return checked(numberToMillis(Number(trimmed)), input);
  return checked(Date.parse(trimmed), input);
}

function numberToMillis(n: number): number {
  return Math.abs(n) < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
}

function checked(ms: number, input: TimeInput): number {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${JSON.stringify(input)}`);
  return ms;
}
