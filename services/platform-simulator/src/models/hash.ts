// Deterministic hashing for seeded draws and hashed n-gram embeddings (FNV-1a, 32 bit).

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A uniform draw in [0, 1) fixed by the parts. */
export function unitDraw(...parts: readonly (string | number)[]): number {
  return fnv1a(parts.join('\u241f')) / 0x1_0000_0000;
}
