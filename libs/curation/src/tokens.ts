// Token estimates for ICL budgets: cl100k_base counts (gpt-tokenizer ships the ranks, no download) plus the
// blueprint's floor(20 %) safety margin, since target models tokenize differently. Special-token text such as
// `<|endoftext|>` in a log is counted as plain text rather than rejected.
import { countTokens } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

/** Port: anything that counts tokens of a string. */
export interface TokenCounter {
  count(text: string): number;
}

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export const cl100kTokenCounter: TokenCounter = {
  count: (text) => countTokens(text, PLAIN_TEXT),
};

export const TOKEN_MARGIN = 0.2;

export function withMargin(tokens: number): number {
  return tokens + Math.floor(tokens * TOKEN_MARGIN);
}

/** Estimates with margin; counts tokenizer failures (then 1.5 × words, the blueprint's fallback) for the report. */
export class TokenEstimator {
  private fallbackCount = 0;

  public constructor(private readonly counter: TokenCounter) {}

  public get fallbacks(): number {
    return this.fallbackCount;
  }

  public estimate(text: string): number {
    try {
      return withMargin(this.counter.count(text));
    } catch {
      this.fallbackCount++;
      const words = text.split(/\s+/).filter((w) => w.length > 0).length;
      return Math.ceil(words * 1.5);
    }
  }
}
