import { mulberry32, sampleWithoutReplacement, seededRandom, shuffled, shuffleInPlace, streamSeed } from './prng';

describe('prng', () => {
  it('is deterministic per seed and stream, and seed 0 is a seed', () => {
    const a = seededRandom(0, 'sample');
    const b = seededRandom(0, 'sample');
    const seq = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seq);
    const c = seededRandom(1, 'sample');
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(seq);
    expect(streamSeed(0, 'sample')).not.toBe(streamSeed(0, 'split:eval'));
    expect(streamSeed(1, 'x')).not.toBe(streamSeed(2 ** 32 + 1, 'x'));
  });

  it('stays in [0, 1)', () => {
    const r = mulberry32(123);
    for (let i = 0; i < 10000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('shuffles and samples without losing or repeating items', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect([...shuffled(items, mulberry32(1))].sort((x, y) => x - y)).toEqual(items);
    const s = sampleWithoutReplacement(items, 30, mulberry32(2));
    expect(new Set(s).size).toBe(30);
    expect(sampleWithoutReplacement(items, 500, mulberry32(2))).toHaveLength(100);
    expect(items).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('shuffles in place exactly as it shuffles a copy', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const copy = shuffled(items, mulberry32(9));
    const own = items.slice();
    expect(shuffleInPlace(own, mulberry32(9))).toBe(own);
    expect(own).toEqual(copy);
  });
});
