// Seeded randomness: mulberry32, small and fast, with enough quality for sampling and splitting. Every stage
// draws from its own stream derived from the run seed, so changing one stage (say, the split) never reshuffles
// another (the sample).

export type Random = () => number;

/** Uniform floats in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a mix of an integer seed (any safe integer, 0 and negatives included) and a stream name. */
export function streamSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  // Both halves of the seed, so seeds that differ only above bit 32 still differ.
  const lo = (seed % 4294967296) >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  for (const word of [lo, hi]) for (let s = 0; s < 32; s += 8) mix(word >>> s);
  for (let i = 0; i < stream.length; i++) mix(stream.charCodeAt(i));
  return h;
}

export function seededRandom(seed: number, stream: string): Random {
  return mulberry32(streamSeed(seed, stream));
}

/** Integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates, in place (for arrays the caller owns); returns `items`. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  return shuffleInPlace(items.slice(), random);
}

/** `k` distinct items in random order (partial Fisher–Yates): O(n) copy, O(k) draws. */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: Random): T[] {
  const pool = items.slice();
  const take = Math.max(0, Math.min(k, pool.length));
  for (let i = 0; i < take; i++) {
    const j = i + randomInt(random, pool.length - i);
    const tmp = pool[i] as T;
    pool[i] = pool[j] as T;
    pool[j] = tmp;
  }
  pool.length = take;
  return pool;
}
