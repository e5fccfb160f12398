// Tool-call arguments arrive as JSON text, and the training lines must show them as JSON.stringify(JSON.parse(text)).
// For the usual text (an object of strings, small numbers, booleans, nested lists and objects, spaces after `:`
// and `,`) that is the text itself without the spaces between tokens. `plainArguments` recognises that subset in one
// pass without building anything, so validation need not parse such arguments into objects and formatting need not
// serialise them again; anything outside the subset gets the full JSON.parse (which also decides its verdict).
// The subset is exactly what survives the round trip unchanged apart from whitespace:
// - strings without \u or \/ escapes or surrogate code units (JSON.stringify writes those differently);
// - object keys not starting with a digit (integer-like keys are reordered) and not repeated (the last one wins);
// - numbers `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?` of at most 15 digits, not `-0`, not below 1e-6 (those are printed in
//   the same digits: a decimal of ≤ 15 significant digits is the shortest one naming its double).

/** `text` is not in the subset (it may still be valid JSON: parse it to know). */
export const NOT_PLAIN = 0;
/** A plain object text, already compact: it is its own JSON.stringify(JSON.parse(text)). */
export const PLAIN_COMPACT = 1;
/** A plain object text with whitespace between tokens: compact it with `pushCompacted`. */
export const PLAIN_SPACED = 2;
export type PlainVerdict = typeof NOT_PLAIN | typeof PLAIN_COMPACT | typeof PLAIN_SPACED;

/** Nesting deeper than this is left to JSON.parse (and keeps the recursion here shallow). */
const MAX_DEPTH = 32;
const MAX_DIGITS = 15;
/** 0.000001 prints as such, 0.0000001 as 1e-7. */
const MAX_LEADING_FRACTION_ZEROS = 5;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The scan: a recursive descent over the subset, noting whether it skipped whitespace. One instance serves every
 * call: optimised code is tied to the object layout it saw, and when the last instance of a layout dies in a
 * collection that code is thrown away, so one scanner per call meant re-optimising after every major GC.
 */
class Scanner {
  public spaced = false;
  private s = '';
  private n = 0;

  public reset(text: string): void {
    this.s = text;
    this.n = text.length;
    this.spaced = false;
  }

  /**
   * The code unit at `i`, -1 past the end. Every read is bounds-checked here: an out-of-range charCodeAt gives NaN,
   * and one such read makes V8 stop inlining charCodeAt in the optimised scanner (several times slower).
   */
  private at(i: number): number {
    return i < this.n ? this.s.charCodeAt(i) : -1;
  }

  public skipSpace(i: number): number {
    const from = i;
    while (isSpace(this.at(i))) i++;
    if (i > from) this.spaced = true;
    return i;
  }

  /** At `"`; the index after the closing quote, or -1. */
  public string(i: number, key: boolean): number {
    i++;
    if (key) {
      const first = this.at(i);
      if (first >= ZERO && first <= NINE) return -1;
    }
    for (;;) {
      const c = this.at(i++);
      if (c === QUOTE) return i;
      if (c === BACKSLASH) {
        // The escapes JSON.stringify writes the same way: \" \\ \n \t \r \b \f.
        const e = this.at(i++);
        if (e !== QUOTE && e !== BACKSLASH && e !== 0x6e && e !== 0x74 && e !== 0x72 && e !== 0x62 && e !== 0x66) {
          return -1;
        }
      } else if (!(c >= 0x20) || (c >= 0xd800 && c <= 0xdfff)) {
        return -1; // control character, end of text (-1), or a surrogate
      }
    }
  }

  public number(i: number): number {
    const negative = this.at(i) === MINUS;
    if (negative) i++;
    let c = this.at(i);
    let digits = 0;
    const zero = c === ZERO;
    if (zero) {
      c = this.at(++i);
    } else if (c > ZERO && c <= NINE) {
      do {
        digits++;
        c = this.at(++i);
      } while (c >= ZERO && c <= NINE);
    } else {
      return -1;
    }
    if (c === DOT) {
      let fraction = 0;
      let leadingZeros = 0;
      let last = 0;
      c = this.at(++i);
      while (c >= ZERO && c <= NINE) {
        if (c === ZERO && fraction === leadingZeros) leadingZeros++;
        fraction++;
        last = c;
        c = this.at(++i);
      }
      if (fraction === 0 || last === ZERO || (zero && leadingZeros > MAX_LEADING_FRACTION_ZEROS)) return -1;
      digits += fraction;
    } else if (zero && negative) {
      return -1; // -0 prints as 0
    }
    if (c === 0x65 || c === 0x45 || (c >= ZERO && c <= NINE)) return -1; // exponent, or a leading zero
    return digits <= MAX_DIGITS ? i : -1;
  }

  private literal(i: number, word: string): number {
    return this.s.startsWith(word, i) ? i + word.length : -1;
  }

  public value(i: number, depth: number): number {
    const c = this.at(i);
    if (c === QUOTE) return this.string(i, false);
    if (c === 0x7b) return this.object(i, depth + 1);
    if (c === 0x5b) return this.array(i, depth + 1);
    if (c === 0x74) return this.literal(i, 'true');
    if (c === 0x66) return this.literal(i, 'false');
    if (c === 0x6e) return this.literal(i, 'null');
    return this.number(i);
  }

  /** Whether the key at [start, end) equals one of the earlier keys of its object (spans in `keys`). */
  private repeated(keys: readonly number[], start: number, end: number): boolean {
    const s = this.s;
    const length = end - start;
    for (let k = 0; k < keys.length; k += 2) {
      const from = keys[k] as number;
      if ((keys[k + 1] as number) - from !== length) continue;
      let same = true;
      for (let j = 0; j < length && same; j++) same = s.charCodeAt(from + j) === s.charCodeAt(start + j);
      if (same) return true;
    }
    return false;
  }

  /** At `{`; the index after the closing brace, or -1. */
  public object(i: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    i = this.skipSpace(i + 1);
    if (this.at(i) === 0x7d) return i + 1;
    const keys: number[] = [];
    for (;;) {
      if (this.at(i) !== QUOTE) return -1;
      const end = this.string(i, true);
      if (end < 0 || this.repeated(keys, i, end)) return -1;
      keys.push(i, end);
      i = this.skipSpace(end);
      if (this.at(i) !== COLON) return -1;
      i = this.value(this.skipSpace(i + 1), depth);
      if (i < 0) return -1;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === 0x7d) return i + 1;
      if (c !== COMMA) return -1;
      i = this.skipSpace(i + 1);
    }
  }

  /** At `[`; the index after the closing bracket, or -1. */
  public array(i: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    i = this.skipSpace(i + 1);
    if (this.at(i) === 0x5d) return i + 1;
    for (;;) {
      i = this.value(i, depth);
      if (i < 0) return -1;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === 0x5d) return i + 1;
      if (c !== COMMA) return -1;
      i = this.skipSpace(i + 1);
    }
  }
}

const scanner = new Scanner();

/** Whether `text` is a JSON object in the plain subset, and whether it has whitespace to drop. */
export function plainArguments(text: string): PlainVerdict {
  const scan = scanner;
  scan.reset(text);
  const start = scan.skipSpace(0);
  let verdict: PlainVerdict = NOT_PLAIN;
  if (start < text.length && text.charCodeAt(start) === 0x7b) {
    const end = scan.object(start, 1);
    if (end >= 0 && scan.skipSpace(end) === text.length) verdict = scan.spaced ? PLAIN_SPACED : PLAIN_COMPACT;
  }
  scan.reset(''); // do not hold the text
  return verdict;
}

/**
 * Appends to `parts` the pieces of a plain text (`plainArguments` said so) without the whitespace between tokens:
 * together they are JSON.stringify(JSON.parse(text)).
 */
export function pushCompacted(parts: string[], text: string): void {
  const n = text.length;
  let from = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Inside a string every escape is two characters (plain texts have no \u).
      for (i++; i < n;) {
        const d = text.charCodeAt(i);
        i += d === BACKSLASH ? 2 : 1;
        if (d === QUOTE) break;
      }
    } else if (isSpace(c)) {
      if (i > from) parts.push(text.slice(from, i));
      do i++;
      while (i < n && isSpace(text.charCodeAt(i)));
      from = i;
    } else {
      i++;
    }
  }
  if (from < n) parts.push(from === 0 ? text : text.slice(from));
}
