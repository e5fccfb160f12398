// Ids of what the aggregator writes, derived from the run id: a redelivered event (or a restart after a kill at any
// line) finds the same documents and publishes events with the same event ids, which consumers drop as repeats.
import { createHash } from 'node:crypto';
import { type EvalTypeV1 } from '@flywheel/contracts';
import { type DatasetKind } from '@flywheel/stores';

/** Namespace of the aggregator's UUID v5 event ids (a fixed random UUID; changing it changes every id). */
const NAMESPACE = Buffer.from('9b2f61d4c7e84a0f8d35e1a7c46b20f9', 'hex');

/** RFC 4122 UUID version 5 (SHA-1, name-based). */
export function uuidV5(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The event id of one thing the aggregator says about a run, e.g. ('r1', 'run.completed'). */
export function eventIdOf(runId: string, kind: string): string {
  return uuidV5(`${runId}\u0000${kind}`);
}

export const candidateIdOf = (runId: string, model: string): string => `${runId}:${model}`;
export const evaluationIdOf = (runId: string, model: string, evalType: EvalTypeV1): string =>
  `${runId}:${model}:${evalType}-eval`;
export const customizationIdOf = (runId: string, model: string): string => `${runId}:${model}:customization`;
export const datasetIdOf = (runId: string, kind: DatasetKind): string => `${runId}:${kind}-dataset`;
export const judgeIdOf = (runId: string, model: string): string => `${runId}:judge:${model}`;
