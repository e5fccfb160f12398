// The plan of a run, written when it is requested: the run, one candidate per model, and one pending evaluation per
// evaluation the candidate expects (base; icl when icl_enabled; customized when customization_enabled) plus its
// customization. The planned documents are how the aggregator later knows that a candidate is finished: all of its
// evaluations are terminal. The API shows every planned candidate and evaluation as `pending` from the start.
import { type CandidateModelV1, type EvalTypeV1 } from '@flywheel/contracts';
import { type RunStore } from '@flywheel/stores';
import { candidateIdOf, customizationIdOf, evaluationIdOf } from '../ids';

export interface RunPlan {
  readonly run_id: string;
  readonly workload_id: string;
  readonly client_id: string;
  readonly candidates: readonly CandidateModelV1[];
}

export function expectedEvalTypes(candidate: CandidateModelV1): EvalTypeV1[] {
  return [
    'base',
    ...(candidate.icl_enabled ? (['icl'] as const) : []),
    ...(candidate.customization_enabled ? (['customized'] as const) : []),
  ];
}

/**
 * Creates whatever part of the plan is missing (a document already there is a repeat, left as it is); safe to call
 * again (redelivery, restart mid-way). The jobs API passes the request's JSON so a request that was stored but never
 * published can be published again (stall-detector.ts).
 */
export async function writeRunPlan(store: RunStore, plan: RunPlan, requestJson?: string): Promise<void> {
  await store.createRunIfAbsent({
    id: plan.run_id,
    workload_id: plan.workload_id,
    client_id: plan.client_id,
    request_json: requestJson ?? null,
  });
  for (const c of plan.candidates) {
    const candidateId = candidateIdOf(plan.run_id, c.model_name);
    await store.createCandidateIfAbsent({ id: candidateId, run_id: plan.run_id, model_name: c.model_name });
    for (const evalType of expectedEvalTypes(c)) {
      await store.createEvaluationIfAbsent({
        id: evaluationIdOf(plan.run_id, c.model_name, evalType),
        run_id: plan.run_id,
        candidate_id: candidateId,
        eval_type: evalType,
      });
    }
    if (c.customization_enabled) {
      await store.createCustomizationIfAbsent({
        id: customizationIdOf(plan.run_id, c.model_name),
        run_id: plan.run_id,
        candidate_id: candidateId,
        workload_id: plan.workload_id,
        base_model: c.model_name,
      });
    }
  }
}
