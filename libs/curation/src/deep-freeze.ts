// Recursive Object.freeze: for values shared between records (interned tool lists) and for tests that prove
// curation never writes to its input.

/** Recursively frozen (so any write throws in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
