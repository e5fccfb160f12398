// The curation pipeline: validate → classify → quality filter → dedupe → count check → sample → split → format →
// ICL. Deterministic for a given input, config and seed; the only effects go through the ports in `deps`.
import { type WorkloadClassification } from './classify';
import { type CurationConfig } from './config';
import { dedupe } from './dedupe';
import { InsufficientRecordsError } from './errors';
import { toEvalRecord, trainingLines, TRAIN_DROP_RULES, type TrainDropRule } from './format';
import { buildIcl, type IclReport } from './icl/build-icl';
import { type EmbeddingClient } from './icl/embedding-client';
import { sampleRecords } from './sample';
import { selectValid } from './select-valid';
import { splitRecords, type ClassCounts, type SplitReport } from './split';
import { cl100kTokenCounter, TokenEstimator, type TokenCounter } from './tokens';
import { type WorkloadType } from './types';
import { outputRecord, FORMAT_RULES, QUALITY_RULES, type DropCounts } from './validate';

export type { ClassCounts };

export interface CurationDeps {
  readonly tokenCounter?: TokenCounter;
  /** Required for semantic ICL selection (its absence is handled like an embedding failure). */
  readonly embeddingClient?: EmbeddingClient;
  /** Seed for unseeded runs (`random_seed: null`); the seed used is reported either way. */
  readonly drawSeed?: () => number;
  /** Milliseconds; when given, stats carry per-stage timings. */
  readonly clock?: () => number;
}

export interface CurationDatasets {
  readonly eval: string[];
  readonly train: string[];
  readonly val: string[];
  /** One ICL dataset per target model (records identical to `eval` plus injected examples). */
  readonly icl: Record<string, string[]>;
}

export interface CurationStats {
  readonly seed: number;
  readonly seed_source: 'config' | 'drawn';
  readonly workload: WorkloadClassification;
  /** The blueprint's summary counts. */
  readonly counts: {
    readonly total_records: number;
    readonly valid_openai_format: number;
    readonly invalid_format: number;
    readonly removed_quality_filters: number;
    readonly deduplicated_queries: number;
    readonly after_dedupe: number;
    readonly final_selected: number;
  };
  /** Records dropped, by the rule that dropped them. */
  readonly dropped: DropCounts;
  readonly splits: { readonly eval: number; readonly train: number; readonly val: number };
  readonly split_report: { readonly eval: SplitReport; readonly val: SplitReport };
  /** Per first-tool class (`no_tool` for generic records), before singleton relabelling. */
  readonly classes: ClassCounts;
  /** Training/validation records the line format refused (e.g. a tool-calling record without tools). */
  readonly training_format_dropped: Record<TrainDropRule, number>;
  readonly unreadable_timestamps: number;
  readonly tokenizer_fallbacks: number;
  readonly icl: IclReport;
  /** Every fallback taken, in words. */
  readonly fallbacks: string[];
  readonly warnings: string[];
  readonly timings_ms: Record<string, number>;
}

export interface CurationResult {
  readonly config: CurationConfig;
  readonly workload_type: WorkloadType;
  readonly datasets: CurationDatasets;
  readonly stats: CurationStats;
}

function sum(counts: DropCounts, rules: readonly (keyof DropCounts)[]): number {
  return rules.reduce((n, r) => n + counts[r], 0);
}

export async function curate(
  records: readonly unknown[],
  config: CurationConfig,
  deps: CurationDeps = {},
): Promise<CurationResult> {
  const split = config.data_split_config;
  const clock = deps.clock;
  const timings: Record<string, number> = {};
  let mark = clock?.() ?? 0;
  const lap = (stage: string): void => {
    if (!clock) return;
    const now = clock();
    timings[stage] = now - mark;
    mark = now;
  };
  const estimator = new TokenEstimator(deps.tokenCounter ?? cl100kTokenCounter);
  const seedSource = split.random_seed === null ? 'drawn' : 'config';
  const seed = split.random_seed ?? (deps.drawSeed ?? (() => Math.floor(Math.random() * 2 ** 32)))();
  const fallbacks: string[] = [];
  const warnings: string[] = [];

  // 1. Validation: format rules, classification, quality filter and argument check.
  const { valid, wellFormed, workload, dropped, unreadableTimestamps } = selectValid(records, split);
  if (workload.mixed) {
    warnings.push(
      `mixed workload: ${workload.generic_records} of ${wellFormed} well-formed records have no tool calls; ` +
        `the tool-calling quality filter drops them (no_tool_calls)`,
    );
  }
  lap('validate');

  // 2. Dedupe (newest kept) and the count check on what is left (the blueprint checked raw counts: bug §10.9).
  const { kept, duplicates } = dedupe(valid);
  dropped.duplicate = duplicates;
  const invalidFormat = sum(dropped, FORMAT_RULES);
  const removedQuality = sum(dropped, QUALITY_RULES);
  if (kept.length < split.min_total_records) {
    throw new InsufficientRecordsError(
      `found ${kept.length} valid records after dedupe, need ${split.min_total_records} (min_total_records); ` +
        `${records.length} read, ${invalidFormat} dropped as invalid OpenAI format, ` +
        `${removedQuality} by the tool-calling quality filter, ${duplicates} as duplicates`,
    );
  }
  lap('dedupe');

  // 3. Seeded sample.
  const selected = sampleRecords(kept, split.limit, seed);
  if (split.eval_size >= selected.length) {
    throw new InsufficientRecordsError(
      `eval_size ${split.eval_size} needs at least ${split.eval_size + 1} records (eval plus one for training); ` +
        `${selected.length} remain after dedupe and sampling (limit ${split.limit})`,
    );
  }
  lap('sample');

  // 4. Split.
  const parts = splitRecords(selected, split.eval_size, split.val_ratio, seed);
  for (const [name, report] of Object.entries(parts.report)) {
    if (report.fallback) fallbacks.push(`${name} split: random instead of stratified: ${report.reason ?? ''}`);
  }
  lap('split');

  // 5. Format.
  const evalLines = parts.eval.map((r) => JSON.stringify(toEvalRecord(outputRecord(r))));
  const trainingDropped = Object.fromEntries(TRAIN_DROP_RULES.map((r) => [r, 0])) as Record<TrainDropRule, number>;
  const trainLines = trainingLines(parts.train, workload.type, trainingDropped);
  const valLines = trainingLines(parts.val, workload.type, trainingDropped);
  lap('format');

  // 6. ICL.
  const icl = await buildIcl(
    parts.eval,
    evalLines,
    parts.train,
    workload.type,
    config,
    estimator,
    deps.embeddingClient,
  );
  fallbacks.push(...icl.fallbacks);
  warnings.push(...icl.warnings);
  if (estimator.fallbacks > 0)
    fallbacks.push(`tokens: ${estimator.fallbacks} strings counted by words (tokenizer failed)`);
  lap('icl');

  return {
    config,
    workload_type: workload.type,
    datasets: { eval: evalLines, train: trainLines, val: valLines, icl: icl.lines },
    stats: {
      seed,
      seed_source: seedSource,
      workload,
      counts: {
        total_records: records.length,
        valid_openai_format: wellFormed,
        invalid_format: invalidFormat,
        removed_quality_filters: removedQuality,
        deduplicated_queries: duplicates,
        after_dedupe: kept.length,
        final_selected: selected.length,
      },
      dropped,
      splits: { eval: parts.eval.length, train: parts.train.length, val: parts.val.length },
      split_report: parts.report,
      classes: parts.classes,
      training_format_dropped: trainingDropped,
      unreadable_timestamps: unreadableTimestamps,
      tokenizer_fallbacks: estimator.fallbacks,
      icl: icl.report,
      fallbacks,
      warnings,
      timings_ms: timings,
    },
  };
}
