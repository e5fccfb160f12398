// Where a byte sequence stops being valid UTF-8, so a rejection can say "invalid UTF-8 at byte 17" instead of
// only "invalid". Checked with the fast native test first; the scan runs only for bad input.
import { isUtf8 } from 'node:buffer';

/** -1 when `bytes` is valid UTF-8, else the offset of the first byte of the first bad sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) return i; // not a lead byte, or cut short
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] ?? 0;
      let lo = 0x80;
      let hi = 0xbf;
      // The second byte's range excludes overlong forms and UTF-16 surrogates (RFC 3629 §4).
      if (k === 1 && b === 0xe0) lo = 0xa0;
      if (k === 1 && b === 0xed) hi = 0x9f;
      if (k === 1 && b === 0xf0) lo = 0x90;
      if (k === 1 && b === 0xf4) hi = 0x8f;
      if (c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1; // unreachable: isUtf8 said otherwise
}
