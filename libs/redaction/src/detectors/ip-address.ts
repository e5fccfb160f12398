// IPv4 (dotted quad, each octet ≤ 255) and IPv6 (full, compressed, with an embedded IPv4 or a zone id). IPv6
// candidates are checked with node's own address parser, so times (10:30:45), MAC addresses and `std::vector` stay
// as they are. A dotted quad right after "version"/"v" is a version number, not an address.
import { isIPv6 } from 'node:net';
import { type Detector, type PatternRule } from './detector';

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const VERSION_BEFORE = /\b(?:version|ver\.?|v)\s*$/i;

export const ipv4Rules: readonly PatternRule[] = [
  {
    detector: 'ip_address',
    minDigits: 4,
    minLength: 7,
    source: String.raw`(?<![\w.])${OCTET}(?:\.${OCTET}){3}(?![\w]|\.\d)`,
    replace: ({ offset, input, token }) =>
      VERSION_BEFORE.test(input.slice(Math.max(0, offset - 10), offset)) ? undefined : token,
  },
];

const IPV6 = /(?<![\w:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?:%[0-9A-Za-z_.-]{1,32})?(?![\w:])/g;

/** An uncompressed IPv6 address has 7 colons; counted natively rather than with a regex over the whole text. */
function hasSevenColons(text: string): boolean {
  let from = 0;
  for (let n = 0; n < 7; n++) {
    const i = text.indexOf(':', from);
    if (i === -1) return false;
    from = i + 1;
  }
  return true;
}

export function ipv6Detector(token: string): Detector {
  return {
    name: 'ip_address',
    mayMatch: (text) => text.indexOf('::') !== -1 || hasSevenColons(text),
    redact(text, hit) {
      IPV6.lastIndex = 0;
      return text.replace(IPV6, (match: string) => {
        // "… at fe80::1." : the sentence's full stop is not part of the address.
        const trimmed = match.replace(/\.+$/, '');
        if (!isIPv6(trimmed.replace(/%.*$/, ''))) return match;
        hit();
        return token + match.slice(trimmed.length);
      });
    },
  };
}
