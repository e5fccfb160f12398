import { parseJudgeScore } from './judge-score';

describe('blueprint bug 1: judge score regex reads 10 as 1', () => {
  it.each([
    ['10', 10],
    ['Score: 10/10', 10],
    ['Rating: 7', 7],
    ['I give it a 9 out of 10.', 9],
    ['7.5', 7],
    ['score 0', 1],
    ['42', 10],
  ])('%s → %d', (text, score) => {
    expect(parseJudgeScore(text)).toBe(score);
  });

  it('no number is null, not a score', () => {
    expect(parseJudgeScore('excellent')).toBeNull();
  });
});
