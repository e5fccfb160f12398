// Payment card numbers: 13–19 digits, bare or in groups separated by one kind of space or dash, accepted only when
// the Luhn checksum holds and the first digit is a card network's (2–6). The prefix rule keeps epoch timestamps in
// milliseconds or microseconds (which start with 1) from being taken for cards one time in ten.
import { type PatternRule } from './detector';

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when `candidate` (digits with optional single-kind separators) is a plausible card number. */
export function isCardNumber(candidate: string): boolean {
  const separators = candidate.replace(/\d/g, '');
  if (separators.length > 0 && !/^(?: +|-+)$/.test(separators)) return false;
  const digits = separators.length > 0 ? candidate.replace(/\D/g, '') : candidate;
  if (digits.length < 13 || digits.length > 19) return false;
  const first = digits.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(digits);
}

export const creditCardRules: readonly PatternRule[] = [
  {
    detector: 'credit_card',
    minDigits: 7,
    minLength: 13,
    source: String.raw`(?<![\w.+-])(?:\d{13,19}|\d{4}(?:[ -]\d{3,6}){2,4})(?![\w]|[.,-]\d)`,
    replace: ({ match, token }) => (isCardNumber(match) ? token : undefined),
  },
];
