// Small checks the catalogue's business validation is made of. Each returns a problem or undefined, so a
// validator is a list of checks and the problems are what is left after filtering.

export type Check = string | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function nonEmpty(field: string, value: string): Check {
  return value.trim().length > 0 ? undefined : `${field} must not be empty`;
}

export function optionalNonEmpty(field: string, value: string | null): Check {
  return value === null ? undefined : nonEmpty(field, value);
}

export function uuid(field: string, value: string): Check {
  return UUID.test(value) ? undefined : `${field} must be a UUID, got ${JSON.stringify(value)}`;
}

/** Epoch milliseconds: a non-negative whole number (catches seconds-vs-millis mix-ups only partly, and NaN). */
export function timestamp(field: string, value: number): Check {
  return Number.isSafeInteger(value) && value >= 0 ? undefined : `${field} must be epoch milliseconds, got ${value}`;
}

export function percent(field: string, value: number): Check {
  return Number.isFinite(value) && value >= 0 && value <= 100
    ? undefined
    : `${field} must be within 0..100, got ${value}`;
}

export function finite(field: string, value: number | null): Check {
  return value === null || Number.isFinite(value) ? undefined : `${field} must be a finite number, got ${value}`;
}

export function count(field: string, value: number | null): Check {
  return value === null || (Number.isSafeInteger(value) && value >= 0)
    ? undefined
    : `${field} must be a whole number >= 0, got ${value}`;
}

export function fraction(field: string, value: number | null): Check {
  return value === null || (Number.isFinite(value) && value >= 0 && value < 1)
    ? undefined
    : `${field} must be within [0, 1), got ${value}`;
}

export function finiteScores(field: string, scores: Readonly<Record<string, number>>): Check[] {
  return Object.entries(scores).map(([metric, score]) =>
    metric.trim() === '' ? `${field} has an empty metric name` : finite(`${field}.${metric}`, score),
  );
}

export function counts(field: string, values: Readonly<Record<string, number>>): Check[] {
  return Object.entries(values).map(([key, value]) => count(`${field}.${key}`, value));
}

export function url(field: string, value: string): Check {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `${field} must be http(s)`;
  } catch {
    return `${field} must be a URL, got ${JSON.stringify(value)}`;
  }
}

export function problems(checks: readonly (Check | readonly Check[])[]): string[] {
  return checks.flat().filter((check): check is string => check !== undefined);
}
