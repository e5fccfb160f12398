// The recommendation, a pure function of the scores. Rule (kept simple on purpose, README "Recommendation"):
// 1. The primary metric follows the workload: function_name_and_args_accuracy for tool calling, similarity for
//    generic chat.
// 2. The teacher's score on it is the configured reference (its own logged answers: 1.0 accuracy, 10 similarity).
// 3. A candidate qualifies when its best completed evaluation (base, icl or customized) scores at least
//    teacher × (1 − maxGap) on the primary metric.
// 4. Of the qualifying candidates the cheapest wins: fewest parameters as read from the model name ("1b" < "3b"
//    < "8b"), then the order of the request. Its winning configuration is the one with its best score; on a tie
//    the cheaper configuration (base, then icl, then customized).
import {
  type CandidateEvidenceV1,
  type CandidateRecommendedV1,
  type EvalTypeV1,
  type WorkloadTypeV1,
} from '@flywheel/contracts';
import { type DecisionConfig } from '../config/aggregator-config';

export interface CandidateScores {
  readonly model_name: string;
  readonly customized_model_name: string | null;
  readonly evaluations: readonly {
    readonly eval_type: EvalTypeV1;
    readonly scores: Readonly<Record<string, number>>;
    readonly sample_count: number;
    /** Mean wall-clock time of one candidate call; null when the platform did not report it. */
    readonly mean_latency_ms?: number | null;
    /** Mean prompt + completion tokens of one call; null when unknown. */
    readonly mean_tokens?: number | null;
  }[];
}

export interface RecommendationInput {
  readonly run_id: string;
  readonly workload_id: string;
  readonly workload_type: WorkloadTypeV1 | null;
  /** In the order of the request. */
  readonly candidates: readonly CandidateScores[];
}

export type Recommendation = Omit<CandidateRecommendedV1, 'event_id' | 'occurred_at' | '__event'>;

const EVAL_COST: Readonly<Record<EvalTypeV1, number>> = { base: 0, icl: 1, customized: 2, unknown: 3 };

export function primaryMetricOf(workloadType: WorkloadTypeV1 | null, candidates: readonly CandidateScores[]): string {
  if (workloadType === 'tool_calling') return 'function_name_and_args_accuracy';
  if (workloadType === 'generic') return 'similarity';
  const seen = candidates.some((c) => c.evaluations.some((e) => 'function_name_and_args_accuracy' in e.scores));
  return seen ? 'function_name_and_args_accuracy' : 'similarity';
}

/** Billions of parameters as written in the name (`llama-3.2-1b-instruct` → 1); Infinity when the name has none. */
export function parameterCountOf(modelName: string): number {
  const match = /(\d+(?:\.\d+)?)b(?![a-z])/i.exec(modelName.split('/').at(-1) ?? modelName);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

interface Best {
  readonly eval_type: EvalTypeV1;
  readonly score: number;
}

export function bestOf(candidate: CandidateScores, metric: string): Best | null {
  let best: Best | null = null;
  for (const e of candidate.evaluations) {
    const score = e.scores[metric];
    if (score === undefined || !Number.isFinite(score)) continue;
    if (
      best === null ||
      score > best.score ||
      (score === best.score && EVAL_COST[e.eval_type] < EVAL_COST[best.eval_type])
    ) {
      best = { eval_type: e.eval_type, score };
    }
  }
  return best;
}

export function recommend(input: RecommendationInput, decision: DecisionConfig): Recommendation {
  const metric = primaryMetricOf(input.workload_type, input.candidates);
  const teacher = decision.teacherScores[metric];
  const bar = teacher === undefined ? null : teacher * (1 - decision.maxGap);
  const evidence: CandidateEvidenceV1[] = [];
  const qualifying: { index: number; candidate: CandidateScores; best: Best }[] = [];
  input.candidates.forEach((c, index) => {
    const best = bestOf(c, metric);
    const meets = bar !== null && best !== null && best.score >= bar;
    if (meets && best !== null) qualifying.push({ index, candidate: c, best });
    evidence.push({
      model_name: c.model_name,
      customized_model_name: c.customized_model_name,
      evaluations: c.evaluations.map((e) => ({
        eval_type: e.eval_type,
        scores: e.scores,
        delta_vs_baseline: Object.fromEntries(
          Object.entries(e.scores)
            .filter(([k]) => decision.teacherScores[k] !== undefined)
            .map(([k, v]) => [k, v - (decision.teacherScores[k] ?? 0)]),
        ),
        sample_count: e.sample_count,
      })),
      meets_threshold: meets,
    });
  });
  qualifying.sort(
    (a, b) => parameterCountOf(a.candidate.model_name) - parameterCountOf(b.candidate.model_name) || a.index - b.index,
  );
  const winner = qualifying[0];
  const baseline = {
    model_name: decision.teacherModel,
    scores: teacher === undefined ? {} : { [metric]: teacher },
  };
  const threshold = bar === null ? null : 1 - decision.maxGap;
  if (winner === undefined) {
    const bests = input.candidates.map((c) => `${c.model_name} ${fmt(bestOf(c, metric)?.score)}`).join(', ');
    return {
      run_id: input.run_id,
      workload_id: input.workload_id,
      workload_type: input.workload_type ?? 'unknown',
      baseline,
      primary_metric: metric,
      threshold,
      candidates: evidence,
      recommended_model: null,
      recommended_eval_type: null,
      rationale:
        bar === null
          ? `No teacher score is configured for ${metric}, so no candidate can be measured against the teacher.`
          : `No candidate reached ${fmt(bar)} on ${metric} (teacher ${fmt(teacher)}, gap ${pct(decision.maxGap)}); ` +
            `best scores: ${bests}. Keep ${decision.teacherModel}.`,
    };
  }
  const c = winner.candidate;
  const model =
    winner.best.eval_type === 'customized' && c.customized_model_name !== null ? c.customized_model_name : c.model_name;
  const how =
    winner.best.eval_type === 'icl'
      ? ' with in-context examples in the prompt'
      : winner.best.eval_type === 'customized'
        ? ' after LoRA fine-tuning'
        : '';
  return {
    run_id: input.run_id,
    workload_id: input.workload_id,
    workload_type: input.workload_type ?? 'unknown',
    baseline,
    primary_metric: metric,
    threshold,
    candidates: evidence,
    recommended_model: model,
    recommended_eval_type: winner.best.eval_type,
    rationale:
      `${c.model_name}${how} scores ${fmt(winner.best.score)} on ${metric}, within ${pct(decision.maxGap)} of ` +
      `${decision.teacherModel} (${fmt(teacher)}); it is the smallest of the ${qualifying.length} qualifying ` +
      `candidate${qualifying.length === 1 ? '' : 's'}.`,
  };
}

function fmt(n: number | undefined): string {
  return n === undefined ? 'n/a' : String(Math.round(n * 1000) / 1000);
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
