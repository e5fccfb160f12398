// Compiles pattern rules into text passes: one global regex per rule, its replacer validating each candidate and
// counting the replacements it keeps.
import { type Groups, type PatternRule } from './detector';

export interface BoundRule {
  readonly rule: PatternRule;
  readonly token: string;
  readonly hit: () => void;
}

export interface TextPass {
  readonly minDigits: 0 | 4 | 7;
  readonly run: (text: string) => string;
}

const NO_GROUPS: Groups = {};

export function compileRule({ rule, token, hit }: BoundRule): TextPass {
  const re = new RegExp(rule.source, `g${rule.flags ?? ''}`);
  const replacer = (...args: unknown[]): string => {
    // (match, ...captures, offset, input[, groups]): groups is last only when the regex has named groups.
    const last = args[args.length - 1];
    const named = typeof last === 'object' && last !== null;
    const groups = named ? (last as Groups) : NO_GROUPS;
    const input = args[args.length - (named ? 2 : 1)] as string;
    const offset = args[args.length - (named ? 3 : 2)] as number;
    const match = args[0] as string;
    const replacement = rule.replace({ match, groups, offset, input, token });
    if (replacement === undefined) return match;
    hit();
    return replacement;
  };
  const mayMatch = rule.mayMatch;
  const minLength = rule.minLength ?? 1;
  return {
    minDigits: rule.minDigits ?? 0,
    run: (text) => {
      if (text.length < minLength || (mayMatch !== undefined && !mayMatch(text))) return text;
      re.lastIndex = 0;
      return text.replace(re, replacer);
    },
  };
}
