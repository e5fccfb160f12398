import { NOT_PLAIN, plainArguments, PLAIN_COMPACT, PLAIN_SPACED, pushCompacted } from './arguments-text';
import { mulberry32 } from './prng';

function compacted(text: string): string {
  const parts: string[] = [];
  pushCompacted(parts, text);
  return parts.join('');
}

/** What the training lines must show for an argument text: its parse, serialised. */
function roundTrip(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? JSON.stringify(parsed) : null;
  } catch {
    return null;
  }
}

/** The contract: a text called plain is a JSON object whose round trip is the text without its whitespace. */
function broken(text: string): string | null {
  const verdict = plainArguments(text);
  if (verdict === NOT_PLAIN) return null;
  const expected = roundTrip(text);
  if (expected === null) return `${text} is called plain but is not a JSON object`;
  if (compacted(text) !== expected) return `${text} compacts to ${compacted(text)}, not ${expected}`;
  if (verdict !== (expected === text ? PLAIN_COMPACT : PLAIN_SPACED)) return `${text}: wrong verdict ${verdict}`;
  return null;
}

describe('plainArguments', () => {
  it('accepts the usual argument texts, with or without spaces', () => {
    const spaced = '{"location": "Divinópolis, MG", "unit": "fahrenheit", "days": [1, 2.5, -3], "deep": {"ok": true}}';
    expect(plainArguments(spaced)).toBe(PLAIN_SPACED);
    expect(compacted(spaced)).toBe(JSON.stringify(JSON.parse(spaced)));
    expect(plainArguments('{"a":"b c","n":null,"f":false}')).toBe(PLAIN_COMPACT);
    expect(plainArguments(' \n\t{ }\r ')).toBe(PLAIN_SPACED);
    expect(plainArguments('{"q": "say \\"hi\\"\\n\\\\ \\t\\b\\f\\r"}')).toBe(PLAIN_SPACED);
  });

  it.each([
    ['a \\u escape (printed unescaped)', '{"a": "\\u00e9"}'],
    ['an escaped slash', '{"a": "a\\/b"}'],
    ['a surrogate pair', '{"a": "😀"}'],
    ['a lone surrogate', '{"a": "\ud800"}'],
    ['an integer-like key (reordered)', '{"b": 1, "1": 2}'],
    ['a repeated key (last one wins)', '{"a": 1, "a": 2}'],
    ['a repeated nested key', '{"x": {"k": 1, "k": 1}}'],
    ['a trailing fraction zero', '{"a": 1.0}'],
    ['an exponent', '{"a": 1e2}'],
    ['minus zero', '{"a": -0}'],
    ['16 digits', '{"a": 1234567890123456}'],
    ['a tiny fraction (printed with an exponent)', '{"a": 0.0000001}'],
    ['an array at the top', '[1, 2]'],
    ['a string at the top', '"text"'],
    ['nesting deeper than the limit', `{"a": ${'['.repeat(40)}${']'.repeat(40)}}`],
  ])('leaves %s to JSON.parse', (_why, text) => {
    expect(plainArguments(text)).toBe(NOT_PLAIN);
  });

  it.each([
    ['truncated', '{"a": "b"'],
    ['unclosed string', '{"a": "b}'],
    ['trailing comma', '{"a": 1,}'],
    ['array trailing comma', '{"a": [1,]}'],
    ['missing colon', '{"a" 1}'],
    ['text after the object', '{"a": 1} x'],
    ['leading zero', '{"a": 01}'],
    ['bare dot', '{"a": 1.}'],
    ['raw control character', '{"a": "x\u0001"}'],
    ['unknown literal', '{"a": nul}'],
    ['unknown escape', '{"a": "\\x"}'],
    ['no-break space as whitespace', '{\u00a0}'],
    ['empty', ''],
  ])('never calls invalid JSON plain: %s', (_why, text) => {
    expect(roundTrip(text)).toBeNull();
    expect(plainArguments(text)).toBe(NOT_PLAIN);
  });

  it('keeps its contract on 20,000 generated and mutated texts', () => {
    const random = mulberry32(12345);
    const int = (n: number): number => Math.floor(random() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    const space = (): string => (random() < 0.5 ? '' : pick([' ', '  ', '\n', '\t', '\r\n ']));
    const strings = ['', 'a', 'b c', 'é', 'ü😀', '\\"', '\\\\', '\\n', '\\u00e9', '\\/', '1', '07', 'key', '\ud800'];
    const numbers = ['0', '-1', '12', '1.5', '0.25', '1.50', '-0', '-0.5', '1e3', '0.000001', '0.0000001', '3.14'];
    const text = (depth: number): string => {
      const r = random();
      if (depth < 3 && r < 0.2) {
        const keys = Array.from({ length: int(4) }, () => `"${pick(strings)}"`);
        return `{${space()}${keys.map((k) => `${k}${space()}:${space()}${text(depth + 1)}`).join(`${space()},${space()}`)}${space()}}`;
      }
      if (depth < 3 && r < 0.35) {
        return `[${space()}${Array.from({ length: int(4) }, () => text(depth + 1)).join(`${space()},${space()}`)}]`;
      }
      if (r < 0.6) return `"${pick(strings)}"`;
      if (r < 0.85) return pick(numbers) + (random() < 0.1 ? String(int(10)) : '');
      return pick(['true', 'false', 'null']);
    };
    let plain = 0;
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      let t = `${space()}{${space()}"k"${space()}:${space()}${text(0)}${space()},"k2":${text(1)}}${space()}`;
      if (random() < 0.3) {
        const at = int(t.length + 1);
        t =
          random() < 0.5
            ? t.slice(0, at) + t.slice(at + 1)
            : t.slice(0, at) + pick(['"', ',', '}', ']', '1', ' ']) + t.slice(at);
      }
      const failure = broken(t);
      if (failure !== null && failures.length < 5) failures.push(failure);
      if (plainArguments(t) !== NOT_PLAIN) plain++;
    }
    expect(failures).toEqual([]);
    expect(plain).toBeGreaterThan(2_000); // the generator reaches the fast path, not only the fallback
  });
});
