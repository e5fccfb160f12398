import { seededRandom } from './prng';
import { classLabels, splitOff, splitRecords, validationSize } from './split';
import { type CuratedRecord } from './types';

function records(spec: Record<string, number>): CuratedRecord[] {
  const out: CuratedRecord[] = [];
  for (const [tool, n] of Object.entries(spec)) {
    for (let i = 0; i < n; i++) {
      out.push({
        record: {} as CuratedRecord['record'],
        inputIndex: out.length,
        timeMs: 0,
        toolName: tool,
        parseArguments: false,
      });
    }
  }
  return out;
}

const count = (rs: readonly CuratedRecord[], tool: string) => rs.filter((r) => r.toolName === tool).length;

describe('split', () => {
  it('relabels singleton classes as others', () => {
    expect(classLabels(records({ a: 2, b: 1, c: 1 }))).toEqual(['a', 'a', 'others', 'others']);
  });

  it('a tool named `others` shares its label with the relabelled singletons', () => {
    expect(classLabels(records({ others: 2, b: 1, a: 2 }))).toEqual(['others', 'others', 'others', 'a', 'a']);
  });

  it('counts records per first-tool class and split, classes in name order', () => {
    const parts = splitRecords(records({ b: 30, a: 60, c: 1 }), 10, 0.1, 3);
    expect(Object.keys(parts.classes)).toEqual(['a', 'b', 'c']);
    for (const [tool, n] of Object.entries(parts.classes)) {
      expect(n).toEqual({
        eval: count(parts.eval, tool),
        train: count(parts.train, tool),
        val: count(parts.val, tool),
      });
    }
    expect(parts.classes.c).toBeDefined();
  });

  it('stratifies the eval split proportionally', () => {
    const rs = records({ a: 60, b: 30, c: 10 });
    const { test, rest, report } = splitOff(rs, classLabels(rs), 20, seededRandom(1, 't'));
    expect(report.strategy).toBe('stratified');
    expect([count(test, 'a'), count(test, 'b'), count(test, 'c')]).toEqual([12, 6, 2]);
    expect(test.length + rest.length).toBe(100);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const rs = records({ a: 50, b: 50 });
    const ids = (seed: number) => splitRecords(rs, 10, 0.1, seed).eval.map((r) => r.inputIndex);
    expect(ids(3)).toEqual(ids(3));
    expect(ids(3)).not.toEqual(ids(4));
  });

  describe('blueprint bug 9: split edge cases', () => {
    it('the validation split is stratified too', () => {
      const rs = records({ a: 80, b: 40 });
      const parts = splitRecords(rs, 20, 0.25, 7);
      expect(parts.report.val.strategy).toBe('stratified');
      // 100 remain after eval; 25 % → 25 validation records split about 2:1.
      expect(parts.val).toHaveLength(25);
      expect(Math.abs(count(parts.val, 'a') - 2 * count(parts.val, 'b'))).toBeLessThanOrEqual(2);
    });

    it('a lone singleton (an `others` class of one) falls back to random, reported', () => {
      const rs = records({ a: 20, b: 20, c: 1 });
      const parts = splitRecords(rs, 10, 0.1, 1);
      expect(parts.report.eval).toMatchObject({ strategy: 'random', fallback: true });
      expect(parts.report.eval.reason).toMatch(/class 'others' has 1 record/);
      expect(parts.eval).toHaveLength(10);
    });

    it('fewer split slots than classes falls back to random, reported', () => {
      const rs = records({ a: 5, b: 5, c: 5, d: 5 });
      const parts = splitRecords(rs, 3, 0.1, 1);
      expect(parts.report.eval.fallback).toBe(true);
      expect(parts.report.eval.reason).toMatch(/split size 3 is smaller than the 4 classes/);
    });

    it('val_ratio 0 means no validation split (not an error)', () => {
      const parts = splitRecords(records({ a: 10, b: 10 }), 5, 0, 1);
      expect(parts.val).toEqual([]);
      expect(parts.train).toHaveLength(15);
      expect(parts.report.val.strategy).toBe('none');
    });

    it('always leaves at least one training record', () => {
      expect(validationSize(1, 0.5)).toBe(0);
      expect(validationSize(2, 0.99)).toBe(1);
      const parts = splitRecords(records({ a: 3 }), 1, 0.9, 1);
      expect(parts.train.length).toBeGreaterThanOrEqual(1);
    });

    it('a single class is split randomly without calling it a fallback', () => {
      const parts = splitRecords(records({ no_tool: 30 }), 10, 0.1, 1);
      expect(parts.report.eval).toMatchObject({ strategy: 'random', fallback: false });
    });
  });
});
