// Eval / train / validation split (inventory §2.6), class-aware: the class of a record is its first tool name
// (`no_tool` without one) and classes seen once become `others`. Both the eval and the validation split are
// stratified (the blueprint never stratified validation), and when stratification is impossible the split falls
// back to random explicitly, with the reason in the report (the blueprint crashed, bug §10.9).
import { seededRandom, shuffled, type Random } from './prng';
import { OTHERS, type CuratedRecord } from './types';

export interface SplitReport {
  readonly strategy: 'stratified' | 'random' | 'none';
  /** True when stratification was wanted (several classes) but impossible. */
  readonly fallback: boolean;
  readonly reason: string | null;
  readonly classes: number;
  readonly size: number;
}

export interface SplitResult {
  readonly eval: CuratedRecord[];
  readonly train: CuratedRecord[];
  readonly val: CuratedRecord[];
  readonly report: { readonly eval: SplitReport; readonly val: SplitReport };
}

/** Class labels with singletons relabelled `others`. */
export function classLabels(records: readonly CuratedRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.toolName, (counts.get(r.toolName) ?? 0) + 1);
  return records.map((r) => ((counts.get(r.toolName) ?? 0) > 1 ? r.toolName : OTHERS));
}

function whyNotStratified(groups: Map<string, number[]>, n: number, testSize: number): string | null {
  const k = groups.size;
  for (const [label, members] of groups) {
    if (members.length < 2) return `class '${label}' has 1 record; every class needs at least 2`;
  }
  if (testSize < k) return `split size ${testSize} is smaller than the ${k} classes`;
  if (n - testSize < k) return `${n - testSize} records would remain for the ${k} classes`;
  return null;
}

/** Per-class test counts: floor of the proportional share, remainders to the largest fractions (ties seeded). */
function allocate(sizes: readonly number[], n: number, testSize: number, random: Random): number[] {
  const exact = sizes.map((s) => (s * testSize) / n);
  const counts = exact.map((e) => Math.floor(e));
  let left = testSize - counts.reduce((a, b) => a + b, 0);
  const tie = sizes.map(() => random());
  const order = sizes
    .map((_, i) => i)
    .sort((a, b) => {
      const fa = (exact[a] as number) - (counts[a] as number);
      const fb = (exact[b] as number) - (counts[b] as number);
      return fb - fa || (tie[a] as number) - (tie[b] as number);
    });
  for (const i of order) {
    if (left === 0) break;
    if ((counts[i] as number) < (sizes[i] as number)) {
      counts[i] = (counts[i] as number) + 1;
      left--;
    }
  }
  return counts;
}

/** Take `testSize` items off, stratified by `labels` when possible. Both halves come back in seeded random order. */
export function splitOff<T>(
  items: readonly T[],
  labels: readonly string[],
  testSize: number,
  random: Random,
): { test: T[]; rest: T[]; report: SplitReport } {
  const n = items.length;
  const groups = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const g = groups.get(label);
    if (g) g.push(i);
    else groups.set(label, [i]);
  });
  const base = { classes: groups.size, size: testSize };
  if (testSize <= 0) {
    return {
      test: [],
      rest: shuffled(items, random),
      report: { ...base, strategy: 'none', fallback: false, reason: null },
    };
  }
  const reason = groups.size < 2 ? null : whyNotStratified(groups, n, testSize);
  if (groups.size < 2 || reason !== null) {
    const all = shuffled(items, random);
    const report: SplitReport = {
      ...base,
      strategy: 'random',
      fallback: reason !== null,
      reason: reason ?? 'a single class: nothing to stratify',
    };
    return { test: all.slice(0, testSize), rest: all.slice(testSize), report };
  }
  const members = [...groups.values()];
  const counts = allocate(
    members.map((m) => m.length),
    n,
    testSize,
    random,
  );
  const test: T[] = [];
  const rest: T[] = [];
  members.forEach((m, c) => {
    const order = shuffled(m, random);
    const take = counts[c] as number;
    for (let i = 0; i < order.length; i++) (i < take ? test : rest).push(items[order[i] as number] as T);
  });
  return {
    test: shuffled(test, random),
    rest: shuffled(rest, random),
    report: { ...base, strategy: 'stratified', fallback: false, reason: null },
  };
}

/** Validation records for `val_ratio` of the non-eval records, keeping at least one training record. */
export function validationSize(remaining: number, valRatio: number): number {
  if (valRatio <= 0 || remaining < 2) return 0;
  return Math.min(remaining - 1, Math.max(1, Math.ceil(valRatio * remaining)));
}

/** Eval first, then train/validation from the remainder, each stratified on freshly computed labels. */
export function splitRecords(
  records: readonly CuratedRecord[],
  evalSize: number,
  valRatio: number,
  seed: number,
): SplitResult {
  const evalSplit = splitOff(records, classLabels(records), evalSize, seededRandom(seed, 'split:eval'));
  const remaining = evalSplit.rest;
  const valSplit = splitOff(
    remaining,
    classLabels(remaining),
    validationSize(remaining.length, valRatio),
    seededRandom(seed, 'split:val'),
  );
  return {
    eval: evalSplit.test,
    train: valSplit.rest,
    val: valSplit.test,
    report: { eval: evalSplit.report, val: valSplit.report },
  };
}
