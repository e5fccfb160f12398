// Log timestamps as epoch milliseconds. The blueprint writes integer epoch *seconds* and its ES `date` mapping then
// read them as milliseconds (dates in 1970, bug §10.11). Here a number is seconds unless it is only plausible as
// milliseconds (≥ 1e11 s would be past the year 5000); strings must be ISO-8601 (or a numeric string, same rule).

const MS_THRESHOLD = 1e11;

export function timestampToMs(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.NEGATIVE_INFINITY;
    return Math.abs(value) >= MS_THRESHOLD ? value : value * 1000;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return timestampToMs(n);
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  }
  return Number.NEGATIVE_INFINITY;
}

/** ISO-8601 for reports, or null when unreadable. */
export function timestampToIso(value: unknown): string | null {
  const ms = timestampToMs(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
