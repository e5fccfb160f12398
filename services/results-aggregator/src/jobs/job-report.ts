// GET /api/jobs/{id}/report: the decision a person acts on. Candidates ranked by their best score on the primary
// metric (ties: the cheaper model first), each with its base / ICL / customized scores, the gap to the teacher and
// sample counts, mean latency per call and the estimated cost of its best configuration (cost-estimate.ts), plus the
// recommendation computed by the same rule the run's `candidate.recommended` event used.
// Served for a run in any state: `final` says whether every candidate has finished.
import { type EvalTypeV1 } from '@flywheel/contracts';
import { type Candidate, type FlywheelRun } from '@flywheel/stores';
import { type DecisionConfig } from '../config/aggregator-config';
import { bestOf, parameterCountOf, recommend, type CandidateScores } from '../projection/recommendation';
import { estimateCost, type CostEstimate } from './cost-estimate';

type Variant = 'base' | 'icl' | 'customized';
const VARIANTS: readonly Variant[] = ['base', 'icl', 'customized'];

export interface ReportCandidate {
  readonly rank: number;
  readonly model_name: string;
  readonly status: string;
  readonly customized_model: string | null;
  /** Billions of parameters read from the model name; null when the name does not say. */
  readonly parameters_b: number | null;
  readonly scores: Readonly<Record<Variant, Readonly<Record<string, number>> | null>>;
  readonly sample_counts: Readonly<Record<Variant, number | null>>;
  /** Mean wall-clock ms of one call per configuration; null when the platform did not report it (NeMo Evaluator). */
  readonly latency_ms: Readonly<Record<Variant, number | null>>;
  /** Cost of 1,000 calls in the best configuration (ICL prompts carry their examples, so they cost more). */
  readonly cost: CostEstimate;
  readonly best: { readonly eval_type: EvalTypeV1; readonly score: number } | null;
  /** (teacher − best) / teacher on the primary metric; null without a best score or teacher score. */
  readonly gap_to_teacher: number | null;
  readonly meets_threshold: boolean;
  readonly error: string | null;
}

export interface JobReport {
  readonly id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly status: string;
  /** True once the run finished: the ranking will not change any more. */
  readonly final: boolean;
  readonly workload_type: string | null;
  readonly num_records: number;
  readonly primary_metric: string;
  readonly teacher: { readonly model_name: string; readonly score: number | null };
  readonly max_gap: number;
  readonly candidates: ReportCandidate[];
  readonly recommendation: {
    readonly model_name: string | null;
    readonly eval_type: EvalTypeV1 | null;
    readonly rationale: string;
  };
}

export function buildReport(
  run: FlywheelRun,
  candidates: readonly Candidate[],
  scores: readonly CandidateScores[],
  decision: DecisionConfig,
): JobReport {
  const rec = recommend(
    { run_id: run.id, workload_id: run.workload_id, workload_type: run.workload_type, candidates: scores },
    decision,
  );
  const metric = rec.primary_metric;
  const teacher = decision.teacherScores[metric] ?? null;
  const rows = scores.map((s, index) => {
    const candidate = candidates.find((c) => c.model_name === s.model_name);
    const best = bestOf(s, metric);
    const variant = (v: Variant) => s.evaluations.find((e) => e.eval_type === v);
    const params = parameterCountOf(s.model_name);
    return {
      index,
      row: {
        model_name: s.model_name,
        status: candidate?.status ?? 'unknown',
        customized_model: s.customized_model_name,
        parameters_b: Number.isFinite(params) ? params : null,
        scores: Object.fromEntries(VARIANTS.map((v) => [v, variant(v)?.scores ?? null])) as ReportCandidate['scores'],
        sample_counts: Object.fromEntries(
          VARIANTS.map((v) => [v, variant(v)?.sample_count ?? null]),
        ) as ReportCandidate['sample_counts'],
        latency_ms: Object.fromEntries(
          VARIANTS.map((v) => [v, roundOrNull(variant(v)?.mean_latency_ms ?? null, 1)]),
        ) as ReportCandidate['latency_ms'],
        cost: estimateCost(
          s.model_name,
          decision.teacherModel,
          s.evaluations.find((e) => e.eval_type === best?.eval_type)?.mean_tokens ??
            s.evaluations.find((e) => e.mean_tokens != null)?.mean_tokens ??
            null,
          decision.prices,
        ),
        best,
        gap_to_teacher:
          best === null || teacher === null || teacher === 0 ? null : round((teacher - best.score) / teacher),
        meets_threshold: rec.candidates[index]?.meets_threshold ?? false,
        error: candidate?.error?.message ?? null,
      },
    };
  });
  rows.sort(
    (a, b) =>
      (b.row.best?.score ?? Number.NEGATIVE_INFINITY) - (a.row.best?.score ?? Number.NEGATIVE_INFINITY) ||
      parameterCountOf(a.row.model_name) - parameterCountOf(b.row.model_name) ||
      a.index - b.index,
  );
  return {
    id: run.id,
    workload_id: run.workload_id,
    client_id: run.client_id,
    status: run.status,
    final: run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled',
    workload_type: run.workload_type,
    num_records: run.num_records ?? 0,
    primary_metric: metric,
    teacher: { model_name: decision.teacherModel, score: teacher },
    max_gap: decision.maxGap,
    candidates: rows.map((r, i) => ({ rank: i + 1, ...r.row })),
    recommendation: {
      model_name: rec.recommended_model,
      eval_type: rec.recommended_eval_type,
      rationale: rec.rationale,
    },
  };
}

function roundOrNull(n: number | null, digits: number): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
