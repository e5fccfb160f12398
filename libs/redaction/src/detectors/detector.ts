// The two shapes of a detector. Most built-in patterns are `PatternRule`s: one regex each, with a replacer that
// validates the candidate (Luhn, digit counts…). The rest are `Detector`s with their own scan: e-mail (found from
// each '@'), IPv6 (only where '::' or eight colon groups appear), and the user's custom regexes.
// Speed notes, measured: a regex whose first element is a character class or literal lets V8 skip positions fast; a
// leading lookbehind or a big alternation does not, so patterns start with what they must see first (the `:`/`=` of
// an assignment, the digit of a number) and check the context behind with a lookbehind placed after it.

export interface Detector {
  /** Key in the counts (and metrics). */
  readonly name: string;
  /** False when `text` cannot hold a match. Must never be false when a match exists. */
  mayMatch(text: string): boolean;
  /** The text with every match replaced; calls `hit()` once per replacement. Returns `text` itself when none. */
  redact(text: string, hit: () => void): string;
}

export type Groups = Readonly<Record<string, string | undefined>>;

export interface MatchContext {
  readonly match: string;
  /** Named groups of the rule's regex. */
  readonly groups: Groups;
  readonly offset: number;
  readonly input: string;
  /** The replacement token of the rule's detector. */
  readonly token: string;
}

export interface PatternRule {
  /** The detector the rule counts for. */
  readonly detector: string;
  /** The regex (compiled with `g` plus `flags`); read captures through named groups. */
  readonly source: string;
  readonly flags?: string;
  /** A cheap pre-check (e.g. an indexOf); the regex runs only when it is true. */
  readonly mayMatch?: (text: string) => boolean;
  /** Fewest characters a match has; shorter texts skip the regex (most JSON argument values are short). */
  readonly minLength?: number;
  /** Fewest digits a match has (4 or 7); the pipeline checks once per text, so a text without them skips the rule. */
  readonly minDigits?: 4 | 7;
  /** The replacement, or undefined to keep the match (a candidate that failed its check: Luhn, digit count…). */
  replace(ctx: MatchContext): string | undefined;
}

/** Counts digits of a match (validators bound matches by how many digits a real value has). */
export function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * How many ASCII digits `text` holds, as the pipeline's gate needs it: 7 when at least 7, 4 when 4 to 6, else 0.
 * A loop that stops at the seventh digit; the same answer as testing /\d(?:\D*\d){6}/ then /\d(?:\D*\d){3}/
 * (`\d` without the `u` flag is [0-9]), which rescan from every digit and cost several times more.
 */
export function digitsAtLeast(text: string): 0 | 4 | 7 {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++n === 7) return 7;
  }
  return n >= 4 ? 4 : 0;
}

/** A case-insensitive regex source for a lowercase word without the `i` flag (which slows the whole scan). */
export function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}
