// The cheap gates in front of the regex passes must never skip a text a pass would change: digitsAtLeast gives the
// same answer as the digit regexes it replaced, knownFormatMayMatch is true for every text the known-format regex
// matches, and the edge cases of both still get redacted through the whole redactor.
import { createRedactor } from '../index';
import { digitsAtLeast } from './detector';
import { PHONE_LABEL_SOURCE, phoneLabelMayMatch } from './phone';
import { AUTH_SCHEME_SOURCE, authSchemeMayMatch, KNOWN_FORMAT_SOURCE, knownFormatMayMatch } from './secret';

// The gate the pipeline used before: kept here as the reference.
const AT_LEAST_4_DIGITS = /\d(?:\D*\d){3}/;
const AT_LEAST_7_DIGITS = /\d(?:\D*\d){6}/;
const reference = (text: string): 0 | 4 | 7 =>
  AT_LEAST_7_DIGITS.test(text) ? 7 : AT_LEAST_4_DIGITS.test(text) ? 4 : 0;

/** Deterministic pseudo-random texts over an alphabet that has every character the gates look at. */
function randomTexts(count: number, alphabet: readonly string[], seed = 7): string[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = next() % 40;
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length] ?? '';
    return text;
  });
}

describe('digitsAtLeast', () => {
  it.each([
    ['', 0],
    ['abc', 0],
    ['123', 0],
    ['1 2 3 4', 4],
    ['v1.2.3.4', 4],
    ['123456', 4],
    ['+1 (555) 12-3', 7],
    ['1234567', 7],
    ['٣٤٥٦٧٨٩ ۱۲۳', 0], // Arabic-Indic and Persian digits are not \d without the u flag
    ['１２３４５６７', 0], // full-width digits neither
  ])('%j has at least %i digits', (text, expected) => {
    expect(digitsAtLeast(text)).toBe(expected);
    expect(reference(text)).toBe(expected);
  });

  it('answers as the digit regexes did on 20,000 random texts', () => {
    const alphabet = ['0', '5', '9', 'a', ' ', '-', '.', '٣', '１', '\n', 'é', '😀'];
    for (const text of randomTexts(20_000, alphabet))
      expect([text, digitsAtLeast(text)]).toEqual([text, reference(text)]);
  });
});

describe('knownFormatMayMatch', () => {
  const re = new RegExp(KNOWN_FORMAT_SOURCE);

  it('is true for every key format, even without a dash or underscore', () => {
    for (const key of [
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAIOSFODNN7EXAMPLE',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlMTIz',
      'sk-proj1234567890abcdefghij',
      'ghp_' + 'a1'.repeat(18),
      'xoxb-1234567890-abc',
      'hf_' + 'A1'.repeat(15),
    ]) {
      expect([key, re.test(key)]).toEqual([key, true]);
      expect([key, knownFormatMayMatch(key)]).toEqual([key, true]);
    }
  });

  it('is false only for texts the regex cannot match (random texts built from key fragments)', () => {
    const alphabet = ['A', 'K', 'I', 'S', 'z', 'a', 'e', 'y', 'J', '7', 'Q', '.', ' ', '-', '_', 's', 'k', 'x', 'o'];
    let skipped = 0;
    for (const text of randomTexts(20_000, alphabet, 11).map((t) => t.repeat(3))) {
      if (knownFormatMayMatch(text)) continue;
      skipped++;
      expect([text, re.test(text)]).toEqual([text, false]);
    }
    expect(skipped).toBeGreaterThan(100); // the gate did skip texts, so the check above checked something
  });

  it('is false for plain prose', () => {
    expect(knownFormatMayMatch('Find the area of a triangle with sides 5, 4 and 3.')).toBe(false);
  });
});

// The labelled-phone and auth-scheme gates look for the words their regexes must see; texts built from fragments of
// those words (any case) and of numbers and tokens, so both regexes match often enough to test the gates.
describe.each([
  {
    name: 'phoneLabelMayMatch',
    gate: phoneLabelMayMatch,
    source: PHONE_LABEL_SOURCE,
    alphabet: ['Pho', 'ne', 'TEL', 'tel', 'Mob', 'ile', 'fax', ': ', ' ', '+', '12', '345', '6789', '0', '-'],
  },
  {
    name: 'authSchemeMayMatch',
    gate: authSchemeMayMatch,
    source: AUTH_SCHEME_SOURCE,
    alphabet: ['Bea', 'rer', 'BASIC', 'bas', 'ic', 'to', 'KEN', 'ken', ' ', 'abc', 'Z9', '+/', '=', '.', 'x'],
  },
])('$name', ({ gate, source, alphabet }) => {
  const re = new RegExp(source);

  it('is false only for texts the regex cannot match', () => {
    let matched = 0;
    let skipped = 0;
    for (const text of randomTexts(20_000, alphabet, 5)) {
      if (re.test(text)) {
        matched++;
        expect([text, gate(text)]).toEqual([text, true]);
      }
      if (!gate(text)) skipped++;
    }
    // Both sides happened, so the check above checked something and the gate does skip texts.
    expect(matched).toBeGreaterThan(100);
    expect(skipped).toBeGreaterThan(100);
  });

  it('is false for plain prose with numbers', () => {
    expect(gate('A train leaves at 10:45 with 1234567 passengers; how far does it go?')).toBe(false);
  });
});

describe('the redactor with the gates', () => {
  const redactor = createRedactor();

  it.each([
    ['key AKIAIOSFODNN7EXAMPLE here', 'key <SECRET> here'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlMTIz end', 'jwt <SECRET> end'],
    ['from 10.0.0.1 today', 'from <IP_ADDRESS> today'],
    ['card 4111111111111111 ok', 'card <CREDIT_CARD> ok'],
    ['MOBILE: 5551234567 please', 'MOBILE: <PHONE> please'],
    ['Authorization: BEARER abc123def456ghi', 'Authorization: BEARER <SECRET>'],
  ])('still redacts %j', (text, expected) => {
    expect(redactor.redactText(text).text).toBe(expected);
  });

  it('leaves a text with three digits and no key marks as it is (the gates skip it)', () => {
    const text = 'Sides 5, 4 and 3 make a right triangle';
    const result = redactor.redactText(text);
    expect(result.text).toBe(text);
    expect(result.counts).toEqual({});
  });
});
