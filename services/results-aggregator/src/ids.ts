// Ids of what the aggregator writes, derived from the run id: a redelivered event (or a restart after a kill at any
// line) finds the same documents and publishes events with the same event ids, which consumers drop as repeats.
import { deterministicEventId, type EvalTypeV1 } from '@flywheel/contracts';
import { type DatasetKind } from '@flywheel/stores';

/** Namespace of the aggregator's UUID v5 event ids (a fixed random UUID; changing it changes every id). */
const NAMESPACE = '9b2f61d4-c7e8-4a0f-8d35-e1a7c46b20f9';

/** The event id of one thing the aggregator says about a run, e.g. ('r1', 'run.completed'). */
export function eventIdOf(runId: string, kind: string): string {
  return deterministicEventId(NAMESPACE, runId, kind);
}

export const candidateIdOf = (runId: string, model: string): string => `${runId}:${model}`;
export const evaluationIdOf = (runId: string, model: string, evalType: EvalTypeV1): string =>
  `${runId}:${model}:${evalType}-eval`;
export const customizationIdOf = (runId: string, model: string): string => `${runId}:${model}:customization`;
export const datasetIdOf = (runId: string, kind: DatasetKind): string => `${runId}:${kind}-dataset`;
export const judgeIdOf = (runId: string, model: string): string => `${runId}:judge:${model}`;
