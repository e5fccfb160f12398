// Uniform ICL selection (inventory §2.8): the shortest examples of each tool, `max_examples` spread evenly over the
// tools in first-seen order. Only tools with a non-empty bin are looked at, and within a tool only a shortlist by
// character length is rendered and tokenized, so the cost does not grow with the training set.
import { type TokenEstimator } from '../tokens';
import { NO_TOOL, type CuratedRecord, type WorkloadType } from '../types';
import { outputRecord } from '../validate';
import { approximateLength, renderExample, type IclExample } from './example';

/** Candidates tokenized per slot: enough that the character-length shortlist almost never hides the shortest. */
const SHORTLIST_PER_SLOT = 4;
const SHORTLIST_MIN = 16;

/** floor(max/num) each, the first max % num tools one more (tools past max_examples get 0). */
export function uniformBins(maxExamples: number, numTools: number): number[] {
  const base = Math.floor(maxExamples / numTools);
  const extra = maxExamples % numTools;
  return Array.from({ length: numTools }, (_, i) => base + (i < extra ? 1 : 0));
}

export function groupByTool(records: readonly CuratedRecord[]): Map<string, CuratedRecord[]> {
  const groups = new Map<string, CuratedRecord[]>();
  for (const r of records) {
    const g = groups.get(r.toolName);
    if (g) g.push(r);
    else groups.set(r.toolName, [r]);
  }
  return groups;
}

/** The `count` shortest examples of `records` by estimated tokens (ties: shorter text, then earlier record). */
export function shortestExamples(
  records: readonly CuratedRecord[],
  count: number,
  tool: string,
  estimator: TokenEstimator,
): IclExample[] {
  if (count <= 0 || records.length === 0) return [];
  const shortlistSize = Math.max(count * SHORTLIST_PER_SLOT, SHORTLIST_MIN);
  const sized = records.map((r, i) => ({ r, i, len: approximateLength(r.record) }));
  sized.sort((a, b) => a.len - b.len || a.i - b.i);
  const shortlist = sized.slice(0, shortlistSize).map(({ r, i }) => {
    const text = renderExample(outputRecord(r));
    return { i, text, example: { tool, text, tokens: estimator.estimate(text) } };
  });
  shortlist.sort((a, b) => a.example.tokens - b.example.tokens || a.text.length - b.text.length || a.i - b.i);
  return shortlist.slice(0, count).map((s) => s.example);
}

/** Groups of examples offered to every eval record (the fitting step takes them round-robin). */
export function selectUniform(
  train: readonly CuratedRecord[],
  workload: WorkloadType,
  maxExamples: number,
  estimator: TokenEstimator,
): IclExample[][] {
  if (maxExamples <= 0 || train.length === 0) return [];
  switch (workload) {
    case 'generic':
      return [shortestExamples(train, maxExamples, NO_TOOL, estimator)];
    case 'tool_calling': {
      const groups = [...groupByTool(train)];
      const bins = uniformBins(maxExamples, groups.length);
      return groups
        .map(([tool, members], i) => shortestExamples(members, bins[i] ?? 0, tool, estimator))
        .filter((g) => g.length > 0);
    }
  }
}
