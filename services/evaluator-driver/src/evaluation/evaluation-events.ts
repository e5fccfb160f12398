// The events the driver publishes about one evaluation, with deterministic ids: a repeat after a redelivery or a
// kill publishes the same id and consumers drop it.
import {
  deterministicEventId,
  type ErrorInfoV1,
  type EvaluationCompletedV1,
  type EvaluationFailedV1,
  type EvaluationProgressV1,
  type EvaluationStartedV1,
} from '@flywheel/contracts';
import { type EvaluationResults } from '@flywheel/platform-clients';
import { type EvaluationRow } from '../state/evaluation-state-store';

/** Namespace of the evaluator-driver's event ids (a fixed random UUID; changing it changes every id). */
const NAMESPACE = '1a67d911-fb9b-4c56-830c-998113b1b94b';

export function startedEvent(row: EvaluationRow, jobId: string, at: number): EvaluationStartedV1 {
  return {
    event_id: deterministicEventId(NAMESPACE, row.runId, 'evaluation.started', row.modelName, row.evalType, jobId),
    run_id: row.runId,
    occurred_at: at,
    model_name: row.modelName,
    eval_type: row.evalType,
    target_model: row.targetModel,
    job_id: jobId,
    dataset_name: row.datasetName,
    workload_type: row.workloadType,
  };
}

export function progressEvent(row: EvaluationRow, jobId: string, percent: number, at: number): EvaluationProgressV1 {
  const p = Math.min(100, Math.max(0, Math.round(percent * 10) / 10));
  return {
    event_id: deterministicEventId(
      NAMESPACE,
      row.runId,
      'evaluation.progress',
      row.modelName,
      row.evalType,
      jobId,
      String(p),
    ),
    run_id: row.runId,
    occurred_at: at,
    model_name: row.modelName,
    eval_type: row.evalType,
    job_id: jobId,
    percent: p,
  };
}

export interface CompletedFigures {
  readonly scores: Readonly<Record<string, number>>;
  readonly sampleCount: number;
  readonly failedSampleCount: number;
  readonly durationMs: number;
  /** Means over the per-sample results; null when the platform gave none (or no timing). */
  readonly meanLatencyMs: number | null;
  readonly meanPromptTokens: number | null;
  readonly meanCompletionTokens: number | null;
}

/**
 * The aggregate figures of a job's results. Per-sample detail stays out of Kafka: only the number of samples the
 * platform could not score (an error on the sample) is kept.
 */
export function figuresOf(results: EvaluationResults, durationMs: number): CompletedFigures {
  const scores: Record<string, number> = {};
  for (const [metric, value] of Object.entries(results.scores)) {
    if (typeof value === 'number' && Number.isFinite(value)) scores[metric] = value;
  }
  return {
    scores,
    sampleCount: results.sampleCount,
    failedSampleCount: results.samples.filter((s) => s.error !== null).length,
    durationMs: Math.max(0, Math.round(durationMs)),
    meanLatencyMs: mean(results.samples.flatMap((s) => (s.latencyMs === null ? [] : [s.latencyMs]))),
    meanPromptTokens: mean(results.samples.map((s) => s.usage.promptTokens)),
    meanCompletionTokens: mean(results.samples.map((s) => s.usage.completionTokens)),
  };
}

export function completedEvent(
  row: EvaluationRow,
  jobId: string,
  figures: CompletedFigures,
  at: number,
): EvaluationCompletedV1 {
  return {
    event_id: deterministicEventId(NAMESPACE, row.runId, 'evaluation.completed', row.modelName, row.evalType),
    run_id: row.runId,
    occurred_at: at,
    model_name: row.modelName,
    eval_type: row.evalType,
    target_model: row.targetModel,
    job_id: jobId,
    scores: figures.scores,
    sample_count: figures.sampleCount,
    failed_sample_count: figures.failedSampleCount,
    duration_ms: figures.durationMs,
    mean_latency_ms: figures.meanLatencyMs,
    mean_prompt_tokens: figures.meanPromptTokens,
    mean_completion_tokens: figures.meanCompletionTokens,
  };
}

export function failedEvent(
  row: EvaluationRow,
  jobId: string | null,
  error: ErrorInfoV1,
  at: number,
): EvaluationFailedV1 {
  return {
    event_id: deterministicEventId(NAMESPACE, row.runId, 'evaluation.failed', row.modelName, row.evalType),
    run_id: row.runId,
    occurred_at: at,
    model_name: row.modelName,
    eval_type: row.evalType,
    job_id: jobId,
    error,
  };
}

/** "icl evaluation of meta/llama-3.2-1b-instruct", naming the customized model too when it is the one queried. */
export function describeEvaluation(row: Pick<EvaluationRow, 'evalType' | 'modelName' | 'targetModel'>): string {
  return row.targetModel === row.modelName
    ? `${row.evalType} evaluation of ${row.modelName}`
    : `${row.evalType} evaluation of ${row.modelName} (model ${row.targetModel})`;
}

function mean(values: readonly number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length;
}
