// JSON.stringify's output as a list of pieces, joined once by the caller. The pieces are mostly the record's own
// strings (a string needing no escapes goes in as is, between quotes), so a line is copied once, by the join,
// instead of being built in the serialiser's growing buffers, flattened and copied again: about twice as fast on
// training lines, with a fraction of the garbage. The output is exactly JSON.stringify's; whatever is not plain
// data (toJSON, boxed primitives, class instances, deep or cyclic nesting) is handed to JSON.stringify itself.

/** Characters JSON.stringify writes escaped: `"`, `\`, controls, and surrogates (lone ones are escaped). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this must find
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Deeper than this, JSON.stringify takes over (it also reports cycles as it should). */
const MAX_DEPTH = 64;

const keyTexts = new Map<string, string>();

/** `"key":` as JSON.stringify writes it; the keys of log records are few and are kept. */
export function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`;
    if (keyTexts.size < 1024) keyTexts.set(key, text);
  }
  return text;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Appends JSON.stringify(value)'s text to `parts` as pieces; false (nothing appended) where JSON.stringify gives
 * undefined (undefined, functions, symbols: left out of objects, null in arrays).
 */
export function pushJson(parts: string[], value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
      if (NEEDS_ESCAPE.test(value)) parts.push(JSON.stringify(value));
      else parts.push('"', value, '"');
      return true;
    case 'number':
      parts.push(Number.isFinite(value) ? String(value) : 'null');
      return true;
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return true;
    case 'object':
      if (value === null) {
        parts.push('null');
        return true;
      }
      if (depth < MAX_DEPTH) {
        if (Array.isArray(value)) {
          pushArray(parts, value, depth + 1);
          return true;
        }
        if (isPlainObject(value)) {
          pushObject(parts, value as Readonly<Record<string, unknown>>, depth + 1);
          return true;
        }
      }
      break;
    case 'undefined':
    case 'function':
    case 'symbol':
      return false;
    case 'bigint':
      break; // JSON.stringify throws, as it should
  }
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return false;
  parts.push(json);
  return true;
}

function pushArray(parts: string[], list: readonly unknown[], depth: number): void {
  parts.push('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) parts.push(',');
    if (!pushJson(parts, list[i], depth)) parts.push('null');
  }
  parts.push(']');
}

function pushObject(parts: string[], object: Readonly<Record<string, unknown>>, depth: number): void {
  let sep = '{';
  const keys = Object.keys(object);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    const at = parts.length;
    parts.push(sep, keyText(key));
    if (pushJson(parts, object[key], depth)) sep = ',';
    else parts.length = at;
  }
  parts.push(sep === '{' ? '{}' : '}');
}
