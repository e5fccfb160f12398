// The join: which evaluations of one (run, model) are ready to start, given what the driver has seen so far. Events
// arrive in any order across topics, so this is a pure function of the recorded facts, re-evaluated after each one.
import { type WorkloadTypeV1 } from '@flywheel/contracts';
import { type EvaluationKind } from '@flywheel/platform-clients';

export type EvalType = 'base' | 'icl' | 'customized';
export const EVAL_TYPES: readonly EvalType[] = ['base', 'icl', 'customized'];

/** Why no new evaluation of a run may start. */
export type StopReason = 'cancelled' | 'failed' | 'deleted';

/** What datasets.built (and the run's stop events) said about a run. */
export interface RunFacts {
  /** Null until datasets.built was seen. */
  readonly evalDataset: string | null;
  readonly workloadType: WorkloadTypeV1 | null;
  /** model → its ICL evaluation dataset (icl_by_model). */
  readonly iclByModel: Readonly<Record<string, string>>;
  readonly stopped: StopReason | null;
}

/** What candidate.deployed, customization.completed and candidate.finished said about one model of a run. */
export interface CandidateFacts {
  readonly deployed: boolean;
  /** customized_model_name of customization.completed; null until seen. */
  readonly customizedModel: string | null;
  /** candidate.finished was seen: nothing more starts for this model. */
  readonly finished: boolean;
}

export interface PlannedEvaluation {
  readonly evalType: EvalType;
  /** The model queried: the candidate itself, or its customized model. */
  readonly targetModel: string;
  readonly datasetName: string;
  readonly workloadType: WorkloadTypeV1;
}

/**
 * The evaluations of `model` whose inputs are complete: base and ICL need the datasets and the deployment; the
 * customized one also needs the customization's output model. None once the run stopped or the candidate finished.
 */
export function readyEvaluations(
  model: string,
  run: RunFacts | null,
  candidate: CandidateFacts | null,
): PlannedEvaluation[] {
  if (run === null || run.stopped !== null || run.evalDataset === null) return [];
  if (candidate === null || !candidate.deployed || candidate.finished) return [];
  const workloadType = run.workloadType ?? 'unknown';
  const ready: PlannedEvaluation[] = [
    { evalType: 'base', targetModel: model, datasetName: run.evalDataset, workloadType },
  ];
  const icl = run.iclByModel[model];
  if (icl !== undefined) ready.push({ evalType: 'icl', targetModel: model, datasetName: icl, workloadType });
  if (candidate.customizedModel !== null) {
    ready.push({
      evalType: 'customized',
      targetModel: candidate.customizedModel,
      datasetName: run.evalDataset,
      workloadType,
    });
  }
  return ready;
}

/** The platform's evaluation kind for a workload: the tool-calling metrics, or the judge's similarity. */
export function evaluationKindOf(workloadType: WorkloadTypeV1): EvaluationKind {
  return workloadType === 'tool_calling' ? 'tool-calling' : 'generic';
}
