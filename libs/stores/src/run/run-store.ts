// The RunStore port: the state of every flywheel run and what hangs off it. Status changes are guarded updates:
// a write to a terminal status applies only while the entity is not terminal yet, so the first terminal state wins
// (blueprint §5.2, kept deliberately) and the caller learns whether its write applied.
import { type ErrorInfoV1, type EvalTypeV1, type WorkloadTypeV1 } from '@flywheel/contracts';
import { type StoreLifecycle } from '../boot';
import {
  type CandidateStatus,
  type DatasetKind,
  type DeploymentStatus,
  type JobStatus,
  type RunStatus,
  type TerminalJobStatus,
  type TerminalRunStatus,
} from './statuses';

/** Failure details, as in the catalogue (code, message, retryable). */
export type ErrorInfo = ErrorInfoV1;

export interface FlywheelRun {
  readonly id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly status: RunStatus;
  readonly workload_type: WorkloadTypeV1 | null;
  readonly created_at: number;
  readonly started_at: number | null;
  readonly finished_at: number | null;
  readonly num_records: number | null;
  readonly error: ErrorInfo | null;
  /**
   * The request as published (JSON text of the run.requested event), kept so it can be published again if the
   * process died between storing the run and publishing it; null on runs stored without it.
   */
  readonly request_json: string | null;
}

export interface Candidate {
  readonly id: string;
  readonly run_id: string;
  readonly model_name: string;
  readonly status: CandidateStatus;
  readonly deployment_status: DeploymentStatus | null;
  readonly created_at: number;
  readonly started_at: number | null;
  readonly finished_at: number | null;
  readonly error: ErrorInfo | null;
}

export interface Evaluation {
  readonly id: string;
  readonly run_id: string;
  readonly candidate_id: string;
  readonly eval_type: EvalTypeV1;
  readonly status: JobStatus;
  /** Aggregate scores by metric name, e.g. {function_name_accuracy: 0.92}. */
  readonly scores: Readonly<Record<string, number>>;
  /** 0..100. */
  readonly progress: number;
  readonly job_id: string | null;
  readonly job_uri: string | null;
  readonly created_at: number;
  readonly finished_at: number | null;
  readonly error: ErrorInfo | null;
  /** What the finished evaluation measured besides scores; null until it completed (and on older documents). */
  readonly stats: EvaluationStats | null;
}

/** Sample counts, time and token usage of a completed evaluation (means over the evaluated samples). */
export interface EvaluationStats {
  readonly sample_count: number;
  readonly failed_sample_count: number;
  readonly duration_ms: number;
  /** Null when the platform does not report per-call latency (NeMo Evaluator). */
  readonly mean_latency_ms: number | null;
  readonly mean_prompt_tokens: number | null;
  readonly mean_completion_tokens: number | null;
}

/** The result of one evaluated sample; `sample_index` is its position in the eval dataset. */
export interface EvaluationSample {
  readonly sample_index: number;
  readonly request: unknown;
  readonly reference: unknown;
  readonly output: unknown;
  readonly scores: Readonly<Record<string, number>>;
}

export interface Customization {
  readonly id: string;
  readonly run_id: string;
  readonly candidate_id: string;
  readonly workload_id: string;
  readonly base_model: string;
  readonly customized_model: string | null;
  readonly job_id: string | null;
  readonly status: JobStatus;
  readonly progress: number;
  readonly epochs_completed: number;
  readonly steps_completed: number;
  readonly created_at: number;
  readonly finished_at: number | null;
  readonly error: ErrorInfo | null;
}

export interface JudgeRun {
  readonly id: string;
  readonly run_id: string;
  readonly model_name: string;
  readonly deployment_type: 'local' | 'remote';
  readonly deployment_status: DeploymentStatus;
  readonly created_at: number;
  readonly error: ErrorInfo | null;
}

export interface Dataset {
  readonly id: string;
  readonly run_id: string;
  /** Unique across runs (platform dataset names are global). */
  readonly name: string;
  readonly kind: DatasetKind;
  readonly num_records: number;
  readonly uri: string;
  readonly created_at: number;
}

export interface NewRun {
  readonly id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly workload_type?: WorkloadTypeV1 | null;
  readonly request_json?: string | null;
}
export interface NewCandidate {
  readonly id: string;
  readonly run_id: string;
  readonly model_name: string;
}
export interface NewEvaluation {
  readonly id: string;
  readonly run_id: string;
  readonly candidate_id: string;
  readonly eval_type: EvalTypeV1;
  readonly job_id?: string | null;
  readonly job_uri?: string | null;
}
export interface NewCustomization {
  readonly id: string;
  readonly run_id: string;
  readonly candidate_id: string;
  readonly workload_id: string;
  readonly base_model: string;
  readonly job_id?: string | null;
}
export interface NewJudgeRun {
  readonly id: string;
  readonly run_id: string;
  readonly model_name: string;
  readonly deployment_type: 'local' | 'remote';
}
export interface NewDataset {
  readonly id: string;
  readonly run_id: string;
  readonly name: string;
  readonly kind: DatasetKind;
  readonly num_records: number;
  readonly uri: string;
}

/** Cursor pagination: pass the previous page's nextCursor to continue; order is stable under concurrent inserts. */
export interface PageRequest {
  /** 1..1000, default 50. */
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface Page<T> {
  readonly items: T[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export interface RunFilter {
  readonly workload_id?: string;
  readonly client_id?: string;
  readonly status?: RunStatus | readonly RunStatus[];
}

export interface RunStore extends StoreLifecycle {
  /** Throws ConflictError when the id exists. */
  createRun(run: NewRun): Promise<FlywheelRun>;
  /**
   * The idempotent create (each entity has one): stores the document unless one with its id (or unique key) exists,
   * which is left untouched; true when this call stored it. A repeat is no error.
   */
  createRunIfAbsent(run: NewRun): Promise<boolean>;
  /** Throws NotFoundError. */
  getRun(id: string): Promise<FlywheelRun>;
  /** Newest first (created_at desc, id desc). */
  listRuns(filter?: RunFilter, page?: PageRequest): Promise<Page<FlywheelRun>>;
  /** pending → running; false when the run is no longer pending. */
  startRun(id: string, at: number): Promise<boolean>;
  /** Records facts learned while running (the record count); false once the run is terminal. */
  updateRun(
    id: string,
    patch: { readonly num_records?: number; readonly workload_type?: WorkloadTypeV1 },
  ): Promise<boolean>;
  /** First terminal state wins: true when this call ended the run, false when it had ended already. */
  finishRun(id: string, status: TerminalRunStatus, at: number, error?: ErrorInfo | null): Promise<boolean>;
  /** Deletes the run and everything under it; returns the number of documents removed. */
  deleteRun(id: string): Promise<number>;

  /** Throws ConflictError when the id, or the (run_id, model_name) pair, exists. */
  createCandidate(candidate: NewCandidate): Promise<Candidate>;
  createCandidateIfAbsent(candidate: NewCandidate): Promise<boolean>;
  getCandidate(id: string): Promise<Candidate>;
  /** Oldest first. */
  listCandidates(runId: string, page?: PageRequest): Promise<Page<Candidate>>;
  /** Any status change; a terminal status sets finished_at. False when the candidate is already terminal. */
  setCandidateStatus(id: string, status: CandidateStatus, at: number, error?: ErrorInfo | null): Promise<boolean>;
  /**
   * Mirrors the platform's deployment status; false once the deployment is terminal (completed, cancelled, failed).
   * Applies after the candidate finished too: its deployment is released after the verdict.
   */
  setCandidateDeploymentStatus(id: string, status: DeploymentStatus): Promise<boolean>;

  createEvaluation(evaluation: NewEvaluation): Promise<Evaluation>;
  createEvaluationIfAbsent(evaluation: NewEvaluation): Promise<boolean>;
  getEvaluation(id: string): Promise<Evaluation>;
  /** Oldest first. */
  listEvaluations(
    filter: { readonly run_id?: string; readonly candidate_id?: string },
    page?: PageRequest,
  ): Promise<Page<Evaluation>>;
  /** Progress and interim scores; false once terminal. A pending evaluation becomes running. */
  updateEvaluation(
    id: string,
    patch: { readonly progress?: number; readonly scores?: Readonly<Record<string, number>>; readonly job_id?: string },
  ): Promise<boolean>;
  finishEvaluation(
    id: string,
    status: TerminalJobStatus,
    at: number,
    result?: {
      readonly scores?: Readonly<Record<string, number>>;
      readonly error?: ErrorInfo | null;
      readonly stats?: EvaluationStats;
    },
  ): Promise<boolean>;
  /** Stores per-sample results; idempotent per sample_index (a redelivered batch overwrites with the same data). */
  putEvaluationSamples(evaluationId: string, samples: readonly EvaluationSample[]): Promise<void>;
  /** By sample_index ascending. */
  listEvaluationSamples(evaluationId: string, page?: PageRequest): Promise<Page<EvaluationSample>>;

  createCustomization(customization: NewCustomization): Promise<Customization>;
  createCustomizationIfAbsent(customization: NewCustomization): Promise<boolean>;
  getCustomization(id: string): Promise<Customization>;
  listCustomizations(
    filter: { readonly run_id?: string; readonly candidate_id?: string; readonly workload_id?: string },
    page?: PageRequest,
  ): Promise<Page<Customization>>;
  updateCustomization(
    id: string,
    patch: {
      readonly progress?: number;
      readonly epochs_completed?: number;
      readonly steps_completed?: number;
      readonly customized_model?: string;
      readonly job_id?: string;
    },
  ): Promise<boolean>;
  finishCustomization(id: string, status: TerminalJobStatus, at: number, error?: ErrorInfo | null): Promise<boolean>;

  createJudgeRun(judge: NewJudgeRun): Promise<JudgeRun>;
  createJudgeRunIfAbsent(judge: NewJudgeRun): Promise<boolean>;
  getJudgeRun(id: string): Promise<JudgeRun>;
  listJudgeRuns(runId: string, page?: PageRequest): Promise<Page<JudgeRun>>;
  /** False once the judge deployment is terminal (completed, cancelled, failed). */
  setJudgeDeploymentStatus(id: string, status: DeploymentStatus, error?: ErrorInfo | null): Promise<boolean>;

  /** Throws ConflictError when the id or the name exists. */
  createDataset(dataset: NewDataset): Promise<Dataset>;
  createDatasetIfAbsent(dataset: NewDataset): Promise<boolean>;
  getDataset(id: string): Promise<Dataset>;
  listDatasets(runId: string, page?: PageRequest): Promise<Page<Dataset>>;
  /** Every dataset of each of these runs, in one query per 1,000 (a list view's runs without one call per run). */
  listDatasetsOfRuns(runIds: readonly string[]): Promise<ReadonlyMap<string, readonly Dataset[]>>;
}
