// E-mail addresses. Found from each '@' outwards instead of with one regex over the whole text: a local-part regex
// is tried at every word start and costs far more than a scan that starts only where an '@' is.
import { type Detector } from './detector';

const MAX_LOCAL = 64;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})$/;
// `icon@2x.png`: retina asset names look like addresses.
const ASSET = /^\d+(?:\.\d+)?x\.(?:png|jpe?g|gif|webp|svg|avif)$/i;

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 // -
  );
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

function isDomain(domain: string): boolean {
  if (domain.length > 253 || ASSET.test(domain)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1] ?? '';
  return TLD.test(tld) && labels.every((l) => LABEL.test(l));
}

export function emailDetector(token: string): Detector {
  return {
    name: 'email',
    mayMatch: (text) => text.indexOf('@') !== -1,
    redact(text, hit) {
      let at = text.indexOf('@');
      if (at === -1) return text;
      let out = '';
      let copied = 0;
      while (at !== -1) {
        let start = at;
        while (start > copied && at - start < MAX_LOCAL && isLocalChar(text.charCodeAt(start - 1))) start--;
        while (start < at && !isAlnum(text.charCodeAt(start))) start++;
        let end = at + 1;
        while (end < text.length && isDomainChar(text.charCodeAt(end))) end++;
        // A sentence may end right after the address: "write to a@b.com."
        while (end > at + 1 && !isAlnum(text.charCodeAt(end - 1))) end--;
        if (start < at && isDomain(text.slice(at + 1, end))) {
          out += text.slice(copied, start) + token;
          copied = end;
          hit();
          at = text.indexOf('@', end);
        } else {
          at = text.indexOf('@', at + 1);
        }
      }
      return copied === 0 ? text : out + text.slice(copied);
    },
  };
}
