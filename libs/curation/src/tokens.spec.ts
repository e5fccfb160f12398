import { cl100kTokenCounter, TokenEstimator, withMargin } from './tokens';

describe('tokens', () => {
  it('counts cl100k_base tokens and adds the floor(20 %) margin', () => {
    expect(cl100kTokenCounter.count('hello world')).toBe(2);
    expect(withMargin(10)).toBe(12);
    expect(withMargin(4)).toBe(4);
    expect(new TokenEstimator(cl100kTokenCounter).estimate('hello world')).toBe(2);
  });

  it('counts special-token text as plain text instead of throwing', () => {
    expect(cl100kTokenCounter.count('a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('falls back to 1.5 × words when the tokenizer fails, and counts the fallback', () => {
    const estimator = new TokenEstimator({
      count: () => {
        throw new Error('boom');
      },
    });
    expect(estimator.estimate('one two three four')).toBe(6);
    expect(estimator.fallbacks).toBe(1);
  });
});
