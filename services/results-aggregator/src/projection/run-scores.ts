// The completed evaluations of a run per candidate, in plan order: what the recommendation and the report read.
import { type Candidate, type Evaluation, type RunStore } from '@flywheel/stores';
import { type CandidateScores } from './recommendation';

const ALL = { limit: 1000 } as const;

/** Sample counts and usage come from each evaluation's stats; an older document without them counts the eval split. */
export async function candidateScoresOf(
  store: RunStore,
  runId: string,
  candidates: readonly Candidate[],
  evaluations: readonly Evaluation[],
): Promise<CandidateScores[]> {
  const datasets = (await store.listDatasets(runId, ALL)).items;
  const evalRecords = datasets.find((d) => d.kind === 'eval')?.num_records ?? 0;
  const customizations = (await store.listCustomizations({ run_id: runId }, ALL)).items;
  return candidates.map((c) => ({
    model_name: c.model_name,
    customized_model_name: customizations.find((x) => x.candidate_id === c.id)?.customized_model ?? null,
    evaluations: evaluations
      .filter((e) => e.candidate_id === c.id && e.status === 'completed')
      .map((e) => ({
        eval_type: e.eval_type,
        scores: e.scores,
        sample_count: e.stats?.sample_count ?? evalRecords,
        mean_latency_ms: e.stats?.mean_latency_ms ?? null,
        mean_tokens: meanTokensOf(e),
      })),
  }));
}

/** Prompt plus completion tokens per call, when the evaluation reported both. */
function meanTokensOf(e: Evaluation): number | null {
  const prompt = e.stats?.mean_prompt_tokens ?? null;
  const completion = e.stats?.mean_completion_tokens ?? null;
  return prompt === null || completion === null ? null : prompt + completion;
}
