import { type TokenUsage, type ToolCall } from './chat-client';
import { type DatasetRef } from './dataset-store';
import { type JobSnapshot, type WaitOptions } from './jobs';

/** `tool-calling`: the blueprint's tool-calling-metric variant; `generic`: LLM-judge similarity. */
export type EvaluationKind = 'tool-calling' | 'generic';

export const METRIC_NAMES = [
  'function_name_accuracy',
  'function_name_and_args_accuracy',
  'tool_calling_correctness',
  'similarity',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Scores = Partial<Record<MetricName, number>>;

/** The LLM judge: a model the platform resolves itself, or any OpenAI-compatible endpoint. */
export type JudgeRef =
  { kind: 'platform'; model: string } | { kind: 'endpoint'; baseUrl: string; model: string; apiKey?: string };

export interface EvaluationSpec {
  kind: EvaluationKind;
  /** The candidate model (a base model or a customized one). */
  model: string;
  dataset: DatasetRef;
  /** File inside the dataset holding the eval records (default `eval_data.jsonl`). */
  evalFile?: string;
  limit?: number;
  judge: JudgeRef;
}

export type EvaluationJob = JobSnapshot & { id: string };

export interface EvaluationSample {
  /** Position of the record in the evaluated eval dataset (after `limit`). */
  index: number;
  scores: Scores;
  /** The candidate call's wall-clock time; null when the platform does not report it (NeMo Evaluator). */
  latencyMs: number | null;
  usage: TokenUsage;
  prediction: { content: string | null; toolCalls: ToolCall[] };
  error: string | null;
}

export interface EvaluationResults {
  jobId: string;
  /** Mean of each metric over the evaluated samples (similarity 1–10, the others 0–1). */
  scores: Scores;
  sampleCount: number;
  /** Per-sample results; empty when the platform only reports aggregates. */
  samples: EvaluationSample[];
  /** Why `samples` is empty although samples were evaluated (e.g. the platform's download failed); else null. */
  samplesUnavailable: string | null;
}

export interface EvaluationClient {
  createJob(spec: EvaluationSpec): Promise<EvaluationJob>;
  getJob(jobId: string): Promise<EvaluationJob>;
  getResults(jobId: string): Promise<EvaluationResults>;
  /** Stops a running job (blueprint bug §10.22: evaluations were never cancelled). */
  cancelJob(jobId: string): Promise<void>;
  deleteJob(jobId: string): Promise<void>;
  waitForCompletion(jobId: string, options?: WaitOptions<EvaluationJob>): Promise<EvaluationJob>;
}
