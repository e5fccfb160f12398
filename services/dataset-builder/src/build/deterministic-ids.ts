// Everything a build writes is named from the run id, so a redelivered `run.requested` (or a restart after a kill at
// any line) produces the same event ids, dataset names and seed: downstream consumers drop the repeats by event_id
// and re-uploads overwrite the same datasets.
import { createHash } from 'node:crypto';
import { uuidV5 as contractsUuidV5 } from '@flywheel/contracts';

/** Namespace of the dataset-builder's UUID v5 ids (a fixed random UUID; changing it changes every id). */
const NAMESPACE = '4f0c2a9e-6b1d-4c57-9a8e-2d3f7b61c0aa';

/** RFC 4122 UUID version 5 of `name` in the builder's namespace. */
export function uuidV5(name: string, namespace: string = NAMESPACE): string {
  return contractsUuidV5(name, namespace);
}

/** The event id of one thing the builder says about a run, e.g. ('r1', 'datasets.built') or ('r1', 'deploy', model). */
export function eventIdOf(runId: string, kind: string, qualifier?: string): string {
  return uuidV5(qualifier === undefined ? `${runId}\u0000${kind}` : `${runId}\u0000${kind}\u0000${qualifier}`);
}

/**
 * The curation seed of a run that did not set one: derived from the run id instead of drawn at random, so a
 * rebuild samples and splits exactly as the first build did. A 32-bit unsigned integer, as curation's PRNG takes.
 */
export function seedOf(runId: string): number {
  return createHash('sha256').update(`seed\u0000${runId}`).digest().readUInt32BE(0);
}

/** Platform-safe: lowercase letters, digits, `.` and `-` (NeMo names may not contain `/`). */
export function nameSegment(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.length > 0 ? s : 'x';
}

export type DatasetKind = 'eval' | 'icl' | 'train';

/**
 * Unique per run (and per model for ICL), stable across rebuilds. A short hash of the raw run id keeps two ids
 * that slug alike (`Run_1` / `run-1`) apart.
 */
export function datasetNameOf(kind: DatasetKind, runId: string, model?: string): string {
  const tag = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  const run = `${nameSegment(runId).slice(0, 48)}-${tag}`;
  return model === undefined ? `flywheel-${kind}-${run}` : `flywheel-${kind}-${run}-${nameSegment(model).slice(0, 64)}`;
}

/** sha256 of a canonical (key-sorted) JSON rendering: the config hash of events. */
export function hashOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonical(value)).digest('hex')}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
