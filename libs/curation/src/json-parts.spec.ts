import { pushJson } from './json-parts';
import { mulberry32 } from './prng';

function viaParts(value: unknown): string | undefined {
  const parts: string[] = [];
  return pushJson(parts, value) ? parts.join('') : undefined;
}

describe('pushJson', () => {
  it('writes what JSON.stringify writes for log-record shapes', () => {
    const record = {
      request: {
        messages: [
          { role: 'system', content: 'Line one\nline "two"\t\\ tab' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'é ü 😀 \u2028' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', function: { name: 'f', arguments: { a: [1, 2.5] } } }],
          },
        ],
        temperature: 0,
        tools: [],
      },
      timestamp: 1767225600,
    };
    expect(viaParts(record)).toBe(JSON.stringify(record));
  });

  it.each([
    [
      'undefined, functions and symbols in objects and arrays',
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1] },
    ],
    ['non-finite numbers and minus zero', { a: NaN, b: Infinity, c: -0, d: 1e21, e: 1e-7, f: 0.1 + 0.2 }],
    ['lone surrogates and control characters', { a: '\ud800', b: 'x\udc00y', c: '\u0000\u001f\u007f' }],
    ['integer-like and odd keys', { b: 1, 2: 'two', 1: 'one', '': 0, 'a"b': 1, __proto__x: 1 }],
    ['a toJSON method (Date)', { when: new Date(0) }],
    ['boxed primitives', { s: new String('s'), n: new Number(3), b: new Boolean(false) }],
    ['a class instance', { m: new Map([[1, 2]]), u: new Uint8Array([1, 2]) }],
    ['an object without prototype', { o: Object.assign(Object.create(null) as object, { z: 1, a: 2 }) }],
    [
      'nesting deeper than the piecewise limit',
      { deep: JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`) as unknown },
    ],
    ['top-level primitives', 'text "q"'],
  ])('matches JSON.stringify: %s', (_what, value) => {
    expect(viaParts(value)).toBe(JSON.stringify(value));
  });

  it('gives nothing where JSON.stringify gives undefined, and throws where it throws', () => {
    expect(viaParts(undefined)).toBeUndefined();
    expect(viaParts(() => 1)).toBeUndefined();
    expect(viaParts({ toJSON: () => undefined })).toBeUndefined();
    expect(() => viaParts({ n: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => viaParts(cyclic)).toThrow(TypeError);
  });

  it('ignores enumerable properties inherited from Object.prototype, as JSON.stringify does', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      expect(viaParts({ a: 1 })).toBe('{"a":1}');
    } finally {
      delete proto.polluted;
    }
  });

  it('matches JSON.stringify on 5,000 generated values', () => {
    const random = mulberry32(99);
    const int = (n: number): number => Math.floor(random() * n);
    const strings = ['', 'a', 'é', '"', '\\', '\n', '😀', '\ud83d', '\u2029', 'long text with spaces'];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth < 4 && r < 0.25) {
        const o: Record<string, unknown> = {};
        for (let i = int(5); i > 0; i--) o[strings[int(strings.length)] + String(int(3))] = value(depth + 1);
        return o;
      }
      if (depth < 4 && r < 0.4) return Array.from({ length: int(4) }, () => value(depth + 1));
      if (r < 0.65) return strings[int(strings.length)];
      if (r < 0.85) return [0, -0, 1.5, -3, 1e300, NaN, 2 ** 53][int(7)];
      return [true, false, null, undefined][int(4)];
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const v = value(0);
      if (viaParts(v) !== JSON.stringify(v) && mismatches.length < 3) mismatches.push(String(JSON.stringify(v)));
    }
    expect(mismatches).toEqual([]);
  });
});
