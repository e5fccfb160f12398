// The ICL dataset per target model: choose example groups (uniform, or semantic through the embedding port), fit
// them into each eval record's budget for that model, and report per record what went in. An embedding failure is
// either an error or a reported degradation to uniform selection, never a silent dataset without examples
// (bug §10.17).
import { type CurationConfig } from '../config';
import { EmbeddingFailureError } from '../errors';
import { toEvalRecord } from '../format';
import { type TokenEstimator } from '../tokens';
import { type CuratedRecord, type WorkloadType } from '../types';
import { outputRecord } from '../validate';
import { type EmbeddingClient } from './embedding-client';
import { type IclExample } from './example';
import { fitExamples, ICL_PREAMBLE, injectExamples } from './inject';
import { selectSemantic, type SemanticReport } from './semantic';
import { selectUniform } from './uniform';

export interface IclRecordStats {
  /** Position of the record in the eval (and ICL) dataset. */
  readonly eval_index: number;
  readonly examples: number;
  readonly example_tokens: number;
  readonly record_tokens: number;
  readonly available_tokens: number;
  readonly remaining_tokens: number;
}

export interface IclTargetReport {
  readonly model_name: string;
  readonly context_length: number;
  /** min(context_length, max_context_length) − reserved_tokens. */
  readonly token_budget: number;
  readonly records_with_examples: number;
  readonly mean_examples: number;
  readonly mean_example_tokens: number;
  readonly records: readonly IclRecordStats[];
}

export interface IclReport {
  readonly selection: CurationConfig['icl_config']['example_selection'];
  /** What actually chose the examples (differs from `selection` after a degradation). */
  readonly selection_used: CurationConfig['icl_config']['example_selection'];
  readonly degradation: string | null;
  readonly pool_size: number;
  readonly semantic: SemanticReport | null;
  readonly targets: readonly IclTargetReport[];
}

export interface IclBuild {
  /** ICL JSONL lines per target model name. */
  readonly lines: Record<string, string[]>;
  readonly report: IclReport;
  readonly fallbacks: string[];
  readonly warnings: string[];
}

export const DEFAULT_TARGET = 'default';

export async function buildIcl(
  evalRecords: readonly CuratedRecord[],
  evalLines: readonly string[],
  train: readonly CuratedRecord[],
  workload: WorkloadType,
  config: CurationConfig,
  estimator: TokenEstimator,
  embeddingClient: EmbeddingClient | undefined,
): Promise<IclBuild> {
  const icl = config.icl_config;
  const fallbacks: string[] = [];
  const warnings: string[] = [];
  let degradation: string | null = null;
  let semantic: SemanticReport | null = null;
  let selectionUsed = icl.example_selection;
  let uniformCache: IclExample[][] | null = null;
  const uniform = (): IclExample[][] => (uniformCache ??= selectUniform(train, workload, icl.max_examples, estimator));

  let perRecord: IclExample[][][];
  if (icl.example_selection === 'semantic_similarity') {
    const sim = icl.similarity_config;
    try {
      if (!embeddingClient) throw new EmbeddingFailureError('no embedding client is configured');
      const selected = await selectSemantic(
        train,
        evalRecords,
        workload,
        { maxExamples: icl.max_examples, relevanceRatio: sim.relevance_ratio, batchSize: sim.embedding_batch_size },
        embeddingClient,
        estimator,
      );
      semantic = selected.report;
      perRecord = selected.groups.map((g) => g ?? uniform());
      if (semantic.eval_without_query > 0) {
        fallbacks.push(`icl: ${semantic.eval_without_query} eval records have no user text; they got uniform examples`);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (sim.on_embedding_failure === 'fail') {
        throw new EmbeddingFailureError(`semantic ICL selection failed: ${message}`, { cause: err });
      }
      degradation = `semantic selection failed (${message}); fell back to uniform_distribution`;
      fallbacks.push(`icl: ${degradation}`);
      selectionUsed = 'uniform_distribution';
      perRecord = evalRecords.map(() => uniform());
    }
  } else {
    const groups = uniform();
    perRecord = evalRecords.map(() => groups);
  }

  const overhead = estimator.estimate(ICL_PREAMBLE) + 1;
  const recordTokens = evalLines.map((line) => estimator.estimate(line));
  const targets =
    config.target_models.length > 0
      ? config.target_models
      : [{ model_name: DEFAULT_TARGET, context_length: icl.max_context_length }];

  const lines: Record<string, string[]> = {};
  const reports: IclTargetReport[] = [];
  const byBudget = new Map<number, { lines: string[]; stats: IclRecordStats[] }>();
  for (const target of targets) {
    const budget = Math.min(target.context_length, icl.max_context_length) - icl.reserved_tokens;
    let built = byBudget.get(budget);
    if (!built) {
      const stats: IclRecordStats[] = [];
      const out = evalRecords.map((r, i) => {
        const available = budget - (recordTokens[i] as number) - overhead;
        const fitted = available > 0 ? fitExamples(perRecord[i] ?? [], available) : [];
        const exampleTokens = fitted.reduce((n, e) => n + e.tokens + 1, 0);
        stats.push({
          eval_index: i,
          examples: fitted.length,
          example_tokens: exampleTokens,
          record_tokens: recordTokens[i] as number,
          available_tokens: available,
          remaining_tokens: available - exampleTokens,
        });
        return fitted.length > 0
          ? JSON.stringify(toEvalRecord(injectExamples(outputRecord(r), fitted)))
          : (evalLines[i] as string);
      });
      built = { lines: out, stats };
      byBudget.set(budget, built);
    }
    lines[target.model_name] = built.lines;
    const withExamples = built.stats.filter((s) => s.examples > 0).length;
    const n = Math.max(1, built.stats.length);
    reports.push({
      model_name: target.model_name,
      context_length: target.context_length,
      token_budget: budget,
      records_with_examples: withExamples,
      mean_examples: built.stats.reduce((a, s) => a + s.examples, 0) / n,
      mean_example_tokens: built.stats.reduce((a, s) => a + s.example_tokens, 0) / n,
      records: built.stats,
    });
    const offered = perRecord.some((g) => g.some((x) => x.length > 0));
    if (evalRecords.length > 0 && icl.max_examples > 0 && withExamples === 0) {
      warnings.push(
        offered
          ? `icl: no example fits any of the ${evalRecords.length} records for ${target.model_name} (budget ${budget} tokens)`
          : `icl: no examples to offer for ${target.model_name}: the training split has none`,
      );
    }
  }
  return {
    lines,
    report: {
      selection: icl.example_selection,
      selection_used: selectionUsed,
      degradation,
      pool_size: train.length,
      semantic,
      targets: reports,
    },
    fallbacks,
    warnings,
  };
}
