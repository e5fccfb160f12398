// Semantic ICL selection (inventory §2.8): embed the last user turn of every training record and of every eval
// record, take the nearest training records in-process (no search index to create, name or leak — bug §10.10),
// then mix relevance (best scores) with coverage (one slot per tool not yet represented) by `relevance_ratio`.
import { NO_TOOL, type CuratedRecord, type LogRecord, type WorkloadType } from '../types';
import { type TokenEstimator } from '../tokens';
import { outputRecord } from '../validate';
import { embedNormalized, nearestNeighbours, type EmbeddingClient } from './embedding-client';
import { contentText, renderExample, type IclExample } from './example';

export function lastUserText(record: LogRecord): string | null {
  const messages = record.request.messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    const text = contentText(m.content).trim();
    return text.length > 0 ? text : null;
  }
  return null;
}

export interface Candidate {
  readonly index: number;
  readonly tool: string;
  readonly score: number;
}

/** Top `relevance` candidates, then coverage slots: uncovered tools first (best first), leftovers by score. */
export function relevanceCoverage(
  candidates: readonly Candidate[],
  maxExamples: number,
  relevanceRatio: number,
): Candidate[] {
  const relevance = Math.min(Math.floor(maxExamples * relevanceRatio), candidates.length);
  const chosen = candidates.slice(0, relevance);
  let slots = maxExamples - chosen.length;
  const remaining = candidates.slice(relevance);
  const covered = new Set(chosen.map((c) => c.tool));
  const used = new Set<number>();
  for (let i = 0; i < remaining.length && slots > 0; i++) {
    const c = remaining[i] as Candidate;
    if (covered.has(c.tool)) continue;
    covered.add(c.tool);
    chosen.push(c);
    used.add(i);
    slots--;
  }
  for (let i = 0; i < remaining.length && slots > 0; i++) {
    if (used.has(i)) continue;
    chosen.push(remaining[i] as Candidate);
    slots--;
  }
  return chosen;
}

export interface SemanticReport {
  readonly train_embedded: number;
  readonly train_without_query: number;
  readonly eval_without_query: number;
}

export interface SemanticSelection {
  /** Per eval record: example groups (one per tool, in selection order), or null when it has no query text. */
  readonly groups: (IclExample[][] | null)[];
  readonly report: SemanticReport;
}

export async function selectSemantic(
  train: readonly CuratedRecord[],
  evalRecords: readonly CuratedRecord[],
  workload: WorkloadType,
  options: { maxExamples: number; relevanceRatio: number; batchSize: number },
  client: EmbeddingClient,
  estimator: TokenEstimator,
): Promise<SemanticSelection> {
  const pool: CuratedRecord[] = [];
  const poolTexts: string[] = [];
  for (const r of train) {
    const text = lastUserText(r.record);
    if (text === null) continue;
    pool.push(r);
    poolTexts.push(text);
  }
  const queryTexts = evalRecords.map((r) => lastUserText(r.record));
  const present = queryTexts.filter((t): t is string => t !== null);
  const poolVectors = await embedNormalized(client, poolTexts, options.batchSize);
  const queryVectors = await embedNormalized(client, present, options.batchSize);

  const examples = new Map<number, IclExample>();
  const exampleOf = (c: Candidate): IclExample => {
    let e = examples.get(c.index);
    if (!e) {
      const text = renderExample(outputRecord(pool[c.index] as CuratedRecord));
      e = { tool: c.tool, text, tokens: estimator.estimate(text) };
      examples.set(c.index, e);
    }
    return e;
  };
  const k = workload === 'tool_calling' ? options.maxExamples * 5 : options.maxExamples;
  let q = 0;
  const groups = queryTexts.map((text) => {
    if (text === null) return null;
    const query = queryVectors[q++] as Float32Array;
    const candidates = nearestNeighbours(query, poolVectors, k).map((n) => ({
      index: n.index,
      score: n.score,
      tool: workload === 'tool_calling' ? (pool[n.index] as CuratedRecord).toolName : NO_TOOL,
    }));
    if (workload === 'generic') return [candidates.map(exampleOf)];
    const byTool = new Map<string, IclExample[]>();
    for (const c of relevanceCoverage(candidates, options.maxExamples, options.relevanceRatio)) {
      const g = byTool.get(c.tool);
      if (g) g.push(exampleOf(c));
      else byTool.set(c.tool, [exampleOf(c)]);
    }
    return [...byTool.values()];
  });
  return {
    groups,
    report: {
      train_embedded: pool.length,
      train_without_query: train.length - pool.length,
      eval_without_query: queryTexts.length - present.length,
    },
  };
}
