// The blueprint's response shapes (inventory §5.1), built from the RunStore's documents. Field names and status
// words are the blueprint's (`nims`, `running-evals`, `base-eval`, `nmp_uri`); times are ISO-8601 UTC with a `Z`
// (the blueprint wrote naive UTC). Additions are marked: they are extra keys, so the blueprint's clients ignore them.
import {
  type Candidate,
  type Customization,
  type Dataset,
  type Evaluation,
  type FlywheelRun,
  type JudgeRun,
  type Page,
} from '@flywheel/stores';

export interface DatasetView {
  readonly name: string;
  readonly num_records: number;
  readonly nmp_uri: string | null;
  /** Addition: eval, icl, train or val. */
  readonly kind: string;
}

export interface JobListItem {
  readonly id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly datasets: DatasetView[];
  readonly error: string | null;
}

export interface JobsListResponse {
  readonly jobs: JobListItem[];
  /** Addition: pass as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

export interface EvaluationView {
  readonly eval_type: string;
  readonly scores: Readonly<Record<string, number>>;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly runtime_seconds: number;
  readonly progress: number;
  readonly nmp_uri: string | null;
  readonly mlflow_uri: string | null;
  readonly error: string | null;
  /** Addition: pending, running, completed, failed, cancelled (the blueprint inferred it). */
  readonly status: string;
  /** Addition. */
  readonly job_id: string | null;
}

export interface CustomizationView {
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly runtime_seconds: number;
  readonly progress: number;
  readonly epochs_completed: number;
  readonly steps_completed: number;
  readonly nmp_uri: string | null;
  readonly customized_model: string | null;
  readonly error: string | null;
  /** Addition. */
  readonly status: string;
  /** Addition. */
  readonly job_id: string | null;
}

export interface NimView {
  readonly model_name: string;
  readonly status: string;
  readonly deployment_status: string;
  readonly runtime_seconds: number;
  readonly evaluations: EvaluationView[];
  readonly customizations: CustomizationView[];
  readonly error: string | null;
}

export interface JudgeView {
  readonly model_name: string;
  readonly type: 'local' | 'remote';
  readonly deployment_status: string;
  readonly error: string | null;
}

export interface JobDetailResponse {
  readonly id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly num_records: number;
  readonly llm_judge: JudgeView | null;
  readonly nims: NimView[];
  readonly datasets: DatasetView[];
  readonly error: string | null;
  /** Addition: tool_calling or generic once the datasets are built. */
  readonly workload_type: string | null;
}

const NIM_STATUS: Readonly<Record<Candidate['status'], string>> = {
  pending: 'pending',
  deploying: 'deploying-nim',
  running_evals: 'running-evals',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function seconds(from: number | null, to: number | null, now: number): number {
  if (from === null) return 0;
  return Math.max(0, Math.round(((to ?? now) - from) / 100) / 10);
}

export function datasetView(d: Dataset): DatasetView {
  return { name: d.name, num_records: d.num_records, nmp_uri: d.uri, kind: d.kind };
}

export function listItemView(run: FlywheelRun, datasets: readonly Dataset[]): JobListItem {
  return {
    id: run.id,
    workload_id: run.workload_id,
    client_id: run.client_id,
    status: run.status,
    // The blueprint's started_at is the time the job was created.
    started_at: iso(run.created_at) ?? '',
    finished_at: iso(run.finished_at),
    datasets: datasets.map(datasetView),
    error: run.error?.message ?? null,
  };
}

export function listView(
  page: Page<FlywheelRun>,
  datasetsOf: ReadonlyMap<string, readonly Dataset[]>,
): JobsListResponse {
  return {
    jobs: page.items.map((r) => listItemView(r, datasetsOf.get(r.id) ?? [])),
    next_cursor: page.nextCursor,
  };
}

export interface RunDocuments {
  readonly run: FlywheelRun;
  readonly candidates: readonly Candidate[];
  readonly evaluations: readonly Evaluation[];
  readonly customizations: readonly Customization[];
  readonly datasets: readonly Dataset[];
  readonly judges: readonly JudgeRun[];
}

const EVAL_ORDER = { base: 0, icl: 1, customized: 2, unknown: 3 } as const;

export function detailView(docs: RunDocuments, now: number): JobDetailResponse {
  const { run } = docs;
  const judge = docs.judges[0];
  return {
    id: run.id,
    workload_id: run.workload_id,
    client_id: run.client_id,
    status: run.status,
    started_at: iso(run.created_at) ?? '',
    finished_at: iso(run.finished_at),
    num_records: run.num_records ?? 0,
    llm_judge:
      judge === undefined
        ? null
        : {
            model_name: judge.model_name,
            type: judge.deployment_type,
            deployment_status: judge.deployment_status,
            error: judge.error?.message ?? null,
          },
    nims: docs.candidates.map((c) => ({
      model_name: c.model_name,
      status: NIM_STATUS[c.status],
      deployment_status: c.deployment_status ?? 'pending',
      runtime_seconds: seconds(c.started_at, c.finished_at, now),
      evaluations: docs.evaluations
        .filter((e) => e.candidate_id === c.id)
        .sort((a, b) => EVAL_ORDER[a.eval_type] - EVAL_ORDER[b.eval_type])
        .map((e) => evaluationView(e, now)),
      customizations: docs.customizations.filter((x) => x.candidate_id === c.id).map((x) => customizationView(x, now)),
      error: c.error?.message ?? null,
    })),
    datasets: docs.datasets.map(datasetView),
    error: run.error?.message ?? null,
    workload_type: run.workload_type,
  };
}

/**
 * Planned evaluations are stored before they start, and the store keeps no start time of its own, so a pending
 * evaluation shows no start and a started one its planning time (README, "Known gaps").
 */
function evaluationView(e: Evaluation, now: number): EvaluationView {
  const started = e.status === 'pending' ? null : e.created_at;
  return {
    eval_type: `${e.eval_type}-eval`,
    scores: e.scores,
    started_at: iso(started),
    finished_at: iso(e.finished_at),
    runtime_seconds: seconds(started, e.finished_at, now),
    progress: e.progress,
    nmp_uri: e.job_uri,
    mlflow_uri: null,
    error: e.error?.message ?? null,
    status: e.status,
    job_id: e.job_id,
  };
}

function customizationView(c: Customization, now: number): CustomizationView {
  const started = c.status === 'pending' ? null : c.created_at;
  return {
    started_at: iso(started),
    finished_at: iso(c.finished_at),
    runtime_seconds: seconds(started, c.finished_at, now),
    progress: c.progress,
    epochs_completed: c.epochs_completed,
    steps_completed: c.steps_completed,
    nmp_uri: null,
    customized_model: c.customized_model,
    error: c.error?.message ?? null,
    status: c.status,
    job_id: c.job_id,
  };
}
