import { cl100kTokenCounter, TokenEstimator } from '../tokens';
import { toolCallRecord } from '../testing/log-records';
import { type CuratedRecord, type LogRecord } from '../types';
import { selectUniform, shortestExamples, uniformBins } from './uniform';

const estimator = new TokenEstimator(cl100kTokenCounter);
const curated = (record: LogRecord, i: number, toolName: string): CuratedRecord => ({
  record,
  inputIndex: i,
  timeMs: 0,
  toolName,
  parseArguments: true,
});

describe('uniform ICL selection', () => {
  it('bins max_examples evenly over tools, first ones get the remainder', () => {
    expect(uniformBins(3, 2)).toEqual([2, 1]);
    expect(uniformBins(3, 5)).toEqual([1, 1, 1, 0, 0]);
    expect(uniformBins(7, 3)).toEqual([3, 2, 2]);
  });

  it('takes the shortest examples of each tool (by tokens), tools in first-seen order', () => {
    const train = [
      curated(toolCallRecord({ tool: 'a', user: 'a long question '.repeat(20) }), 0, 'a'),
      curated(toolCallRecord({ tool: 'b', user: 'b?' }), 1, 'b'),
      curated(toolCallRecord({ tool: 'a', user: 'short a' }), 2, 'a'),
      curated(toolCallRecord({ tool: 'a', user: 'medium a question here' }), 3, 'a'),
    ];
    const groups = selectUniform(train, 'tool_calling', 3, estimator);
    expect(groups.map((g) => g.map((e) => e.tool))).toEqual([['a', 'a'], ['b']]);
    expect(groups[0]?.[0]?.text).toContain('short a');
    expect(groups[0]?.[1]?.text).toContain('medium a');
    expect(groups[0]![0]!.tokens).toBeLessThanOrEqual(groups[0]![1]!.tokens);
  });

  it('generic workloads pool everything and keep the max_examples shortest', () => {
    const train = ['xx yy zz ww', 'x', 'xx yy'].map((u, i) => curated(toolCallRecord({ user: u }), i, 'no_tool'));
    const groups = selectUniform(train, 'generic', 2, estimator);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.map((e) => e.text.includes('user: x\n'))).toEqual([true, false]);
  });

  it('only tokenizes a shortlist, however large the group', () => {
    let calls = 0;
    const counting = new TokenEstimator({ count: (t) => (calls++, cl100kTokenCounter.count(t)) });
    const train = Array.from({ length: 500 }, (_, i) => curated(toolCallRecord({ tool: 'a' }), i, 'a'));
    expect(shortestExamples(train, 3, 'a', counting)).toHaveLength(3);
    expect(calls).toBeLessThanOrEqual(16);
  });
});
