// Eval / train / validation split (inventory §2.6), class-aware: the class of a record is its first tool name
// (`no_tool` without one) and classes seen once become `others`. Both the eval and the validation split are
// stratified (the blueprint never stratified validation), and when stratification is impossible the split falls
// back to random explicitly, with the reason in the report (the blueprint crashed, bug §10.9).
// The work is done on positions and integer class labels: the sampled records lie in random order in memory, so
// every pass that reads them (and hashes their tool names) costs a cache miss per record. They are read once.
import { seededRandom, shuffleInPlace, type Random } from './prng';
import { OTHERS, type CuratedRecord } from './types';

export interface SplitReport {
  readonly strategy: 'stratified' | 'random' | 'none';
  /** True when stratification was wanted (several classes) but impossible. */
  readonly fallback: boolean;
  readonly reason: string | null;
  readonly classes: number;
  readonly size: number;
}

export type ClassCounts = Record<string, { eval: number; train: number; val: number }>;

export interface SplitResult {
  readonly eval: CuratedRecord[];
  readonly train: CuratedRecord[];
  readonly val: CuratedRecord[];
  readonly report: { readonly eval: SplitReport; readonly val: SplitReport };
  /** Records per first-tool class (before singleton relabelling) and split, classes in name order. */
  readonly classes: ClassCounts;
}

/** Integer labels: `label[i]` is the class of position `i`, an index into `names`. */
interface Labels {
  readonly label: Int32Array;
  readonly names: readonly string[];
}

/** Integer labels from string labels, numbered in first-seen order. */
function toLabels<T>(items: readonly T[], labelOf: (item: T) => string): Labels {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const label = new Int32Array(items.length);
  items.forEach((item, i) => {
    const s = labelOf(item);
    let id = ids.get(s);
    if (id === undefined) {
      id = names.length;
      ids.set(s, id);
      names.push(s);
    }
    label[i] = id;
  });
  return { label, names };
}

/** The labels of `positions` (into `classes`; all of them when null), classes seen once relabelled `others`. */
function withOthers(classes: Labels, positions: readonly number[] | null): Labels {
  const n = positions === null ? classes.label.length : positions.length;
  const classAt = (i: number): number => classes.label[positions === null ? i : (positions[i] as number)] as number;
  const counts = new Int32Array(classes.names.length);
  for (let i = 0; i < n; i++) {
    const c = classAt(i);
    counts[c] = (counts[c] as number) + 1;
  }
  // A tool literally named `others` shares the label with the relabelled singletons.
  let others = classes.names.indexOf(OTHERS);
  const names = others === -1 ? [...classes.names, OTHERS] : classes.names;
  if (others === -1) others = classes.names.length;
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classAt(i);
    label[i] = (counts[c] as number) > 1 ? c : others;
  }
  return { label, names };
}

/** Class labels with singletons relabelled `others`. */
export function classLabels(records: readonly CuratedRecord[]): string[] {
  const { label, names } = withOthers(
    toLabels(records, (r) => r.toolName),
    null,
  );
  return Array.from(label, (c) => names[c] as string);
}

/** Positions grouped by label, groups in first-seen order, positions ascending within a group. */
function groupsOf(labels: Labels): { readonly label: number; readonly members: number[] }[] {
  const groupOf = new Int32Array(labels.names.length).fill(-1);
  const groups: { label: number; members: number[] }[] = [];
  labels.label.forEach((c, i) => {
    let g = groupOf[c] as number;
    if (g === -1) {
      g = groups.length;
      groupOf[c] = g;
      groups.push({ label: c, members: [] });
    }
    (groups[g] as { members: number[] }).members.push(i);
  });
  return groups;
}

function whyNotStratified(
  groups: readonly { label: number; members: readonly number[] }[],
  names: readonly string[],
  n: number,
  testSize: number,
): string | null {
  const k = groups.length;
  for (const { label, members } of groups) {
    if (members.length < 2) return `class '${names[label] ?? ''}' has 1 record; every class needs at least 2`;
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

/** Take `testSize` positions off, stratified by `labels` when possible; both halves in seeded random order. */
function splitPositions(
  labels: Labels,
  testSize: number,
  random: Random,
): { test: number[]; rest: number[]; report: SplitReport } {
  const n = labels.label.length;
  const groups = groupsOf(labels);
  const base = { classes: groups.length, size: testSize };
  const all = (): number[] => Array.from({ length: n }, (_, i) => i);
  if (testSize <= 0) {
    const report: SplitReport = { ...base, strategy: 'none', fallback: false, reason: null };
    return { test: [], rest: shuffleInPlace(all(), random), report };
  }
  const reason = groups.length < 2 ? null : whyNotStratified(groups, labels.names, n, testSize);
  if (groups.length < 2 || reason !== null) {
    const rest = shuffleInPlace(all(), random);
    const test = rest.splice(0, testSize);
    const report: SplitReport = {
      ...base,
      strategy: 'random',
      fallback: reason !== null,
      reason: reason ?? 'a single class: nothing to stratify',
    };
    return { test, rest, report };
  }
  const counts = allocate(
    groups.map((g) => g.members.length),
    n,
    testSize,
    random,
  );
  // Sized up front: pushing 100k positions would copy the arrays at every doubling.
  const test = new Array<number>(testSize);
  const rest = new Array<number>(n - testSize);
  let t = 0;
  let r = 0;
  groups.forEach(({ members }, c) => {
    const order = shuffleInPlace(members, random);
    const take = counts[c] as number;
    for (let i = 0; i < order.length; i++) {
      if (i < take) test[t++] = order[i] as number;
      else rest[r++] = order[i] as number;
    }
  });
  return {
    test: shuffleInPlace(test, random),
    rest: shuffleInPlace(rest, random),
    report: { ...base, strategy: 'stratified', fallback: false, reason: null },
  };
}

/** Take `testSize` items off, stratified by `labels` when possible. Both halves come back in seeded random order. */
export function splitOff<T>(
  items: readonly T[],
  labels: readonly string[],
  testSize: number,
  random: Random,
): { test: T[]; rest: T[]; report: SplitReport } {
  const { test, rest, report } = splitPositions(
    toLabels(labels, (l) => l),
    testSize,
    random,
  );
  return { test: test.map((p) => items[p] as T), rest: rest.map((p) => items[p] as T), report };
}

/** Validation records for `val_ratio` of the non-eval records, keeping at least one training record. */
export function validationSize(remaining: number, valRatio: number): number {
  if (valRatio <= 0 || remaining < 2) return 0;
  return Math.min(remaining - 1, Math.max(1, Math.ceil(valRatio * remaining)));
}

/** Counts per tool class (before singleton relabelling) and split, classes in name order. */
function classCounts(
  tools: Labels,
  evalPositions: readonly number[],
  train: readonly number[],
  val: readonly number[],
): ClassCounts {
  const counts = tools.names.map(() => ({ eval: 0, train: 0, val: 0 }));
  const add = (positions: readonly number[], split: 'eval' | 'train' | 'val'): void => {
    for (const p of positions) (counts[tools.label[p] as number] as ClassCounts[string])[split]++;
  };
  add(evalPositions, 'eval');
  add(train, 'train');
  add(val, 'val');
  const byName = tools.names.map((name, c) => [name, counts[c] as ClassCounts[string]] as const);
  return Object.fromEntries(byName.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Eval first, then train/validation from the remainder, each stratified on freshly computed labels. */
export function splitRecords(
  records: readonly CuratedRecord[],
  evalSize: number,
  valRatio: number,
  seed: number,
): SplitResult {
  const tools = toLabels(records, (r) => r.toolName);
  const evalSplit = splitPositions(withOthers(tools, null), evalSize, seededRandom(seed, 'split:eval'));
  const remaining = evalSplit.rest;
  const valSplit = splitPositions(
    withOthers(tools, remaining),
    validationSize(remaining.length, valRatio),
    seededRandom(seed, 'split:val'),
  );
  // Positions into `records`; the validation split's are positions into `remaining`, mapped back in place.
  const train = valSplit.rest;
  const val = valSplit.test;
  for (const part of [train, val]) part.forEach((q, i) => (part[i] = remaining[q] as number));
  const at = (p: number): CuratedRecord => records[p] as CuratedRecord;
  return {
    eval: evalSplit.test.map(at),
    train: train.map(at),
    val: val.map(at),
    report: { eval: evalSplit.report, val: valSplit.report },
    classes: classCounts(tools, evalSplit.test, train, val),
  };
}
