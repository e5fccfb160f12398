import { JUDGE_TAGS, parseRating, parseSimilarity, taggedBlock, toolCallJudgeMessages } from './judge-prompts';

describe('judge reply parsers', () => {
  it('reads "10" from the judge as 10, not 1 (blueprint bug §10.1)', () => {
    expect(parseSimilarity('10')).toBe(10);
    expect(parseSimilarity('Score: 10/10')).toBe(10);
    expect(parseSimilarity(' 7\n')).toBe(7);
  });

  it('rejects similarity replies that are not a whole 1–10', () => {
    expect(parseSimilarity('0')).toBeNull();
    expect(parseSimilarity('11')).toBeNull();
    expect(parseSimilarity('8.5')).toBeNull();
    expect(parseSimilarity('no idea')).toBeNull();
    expect(parseSimilarity(null)).toBeNull();
  });

  it('reads RATING: 0|1 and nothing else', () => {
    expect(parseRating('RATING: 1\nEXPLANATION: ok')).toBe(1);
    expect(parseRating('rating:0')).toBe(0);
    expect(parseRating('**RATING:** 1')).toBe(1);
    expect(parseRating('RATING: 2')).toBeNull();
    expect(parseRating('1')).toBeNull();
  });

  it('tags the blocks of a judge prompt so they can be read back', () => {
    const [, user] = toolCallJudgeMessages([{ a: 1 }], []);
    expect(taggedBlock(user?.content ?? '', JUDGE_TAGS.groundTruth)).toBe('[{"a":1}]');
    expect(taggedBlock(user?.content ?? '', JUDGE_TAGS.prediction)).toBe('[]');
  });
});
