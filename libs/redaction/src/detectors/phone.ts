// Phone numbers in the forms people write them, and nothing that merely has many digits. A match needs one of:
// a leading +country code (E.164: 8–15 digits in all), the North American grouping (555) 123-4567 / 555-123-4567,
// a national number with a trunk 0 in space- or dash-separated groups (030 1234 5678, 06 12 34 56 78), or a
// "phone/tel/mobile…" label right before it (then bare digits count too). Bare digit runs (ids, epoch timestamps,
// amounts), decimals, dotted versions, dates and times never match: every form needs separators or a label, and
// digits glued to letters, dots or dashes on either side are left alone.
import { anyCase, digitCount, type PatternRule } from './detector';

const LABEL =
  `(?:${['phone', 'tel', 'telephone', 'mobile', 'cell', 'fax', 'whatsapp'].map(anyCase).join('|')})` +
  String.raw`(?:[ \t]*(?:${anyCase('number')}|${anyCase('no')}\.?|#))?[ \t]*[:=]?[ \t]*`;
const END = String.raw`(?![\w]|[.,-]\d)`;

function plausible(number: string, min: number, max: number): boolean {
  const n = digitCount(number);
  if (n < min || n > max) return false;
  // Brackets must pair up and separators may not repeat ("1 -- 2" is arithmetic, not a phone number).
  const open = number.split('(').length - 1;
  const close = number.split(')').length - 1;
  return open === close && open <= 1 && !/[ .-]{2}/.test(number.replace(/\) /g, ')'));
}

// The label words alone, as a gate: the labelled rule cannot match a text without one of them. A scan for a leading
// character class is far cheaper than the rule's lookbehind tried at every digit (texts with many digits: maths).
const LABEL_WORD = new RegExp(['phone', 'tel', 'mobile', 'cell', 'fax', 'whatsapp'].map(anyCase).join('|'));

/** False only when no phone label word appears, so the labelled rule cannot match. */
export function phoneLabelMayMatch(text: string): boolean {
  return LABEL_WORD.test(text);
}

export const PHONE_LABEL_SOURCE = String.raw`[+\d](?<=(?<![A-Za-z])${LABEL}[+\d])[\d ().-]{5,20}\d${END}`;

export const phoneRules: readonly PatternRule[] = [
  {
    // The label is matched behind the number (a lookbehind), so it stays in the text: "phone: <PHONE>".
    detector: 'phone',
    minDigits: 7,
    mayMatch: phoneLabelMayMatch,
    source: PHONE_LABEL_SOURCE,
    replace: ({ match, token }) => (plausible(match, 7, 15) ? token : undefined),
  },
  {
    detector: 'phone',
    minDigits: 7,
    source: String.raw`(?<![\w+])\+\d[\d ().-]{6,22}\d${END}`,
    replace: ({ match, token }) => (plausible(match, 8, 15) ? token : undefined),
  },
  {
    detector: 'phone',
    minDigits: 7,
    source: String.raw`(?<![\w.+-])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}${END}`,
    replace: ({ match, token }) => (plausible(match, 10, 11) ? token : undefined),
  },
  {
    detector: 'phone',
    minDigits: 7,
    source: String.raw`(?<![\w.+-])0\d{1,4}(?:[ -]\d{2,8}){1,4}${END}`,
    replace: ({ match, token }) => (plausible(match, 9, 12) ? token : undefined),
  },
];
