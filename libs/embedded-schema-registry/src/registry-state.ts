// The registry's in-memory state, its copy-on-write cloning, and conversion to and from the persisted snapshot.
import { canonicalSchema, parseSchemaJson, type SchemaReference } from './avro-schema';
import { DEFAULT_COMPATIBILITY, type CompatibilityLevel } from './compatibility';
import { errorMessage } from './errors';
import { type RegistrySnapshot } from './registry-store';

export interface SchemaEntry {
  readonly id: number;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  /** Canonical schema plus references: equal keys are the same schema and share one global id. */
  readonly key: string;
}

export interface VersionEntry {
  readonly version: number;
  readonly id: number;
}

export interface RegistryState {
  compatibility: CompatibilityLevel;
  readonly schemas: Map<number, SchemaEntry>;
  readonly idsByKey: Map<string, number>;
  /** Only subjects with at least one version; versions ascending. */
  readonly subjects: Map<string, readonly VersionEntry[]>;
  readonly subjectCompatibility: Map<string, CompatibilityLevel>;
}

export function emptyState(): RegistryState {
  return {
    compatibility: DEFAULT_COMPATIBILITY,
    schemas: new Map(),
    idsByKey: new Map(),
    subjects: new Map(),
    subjectCompatibility: new Map(),
  };
}

/** A copy whose maps can be changed freely; entries and version arrays are immutable, so sharing them is safe. */
export function cloneState(state: RegistryState): RegistryState {
  return {
    compatibility: state.compatibility,
    schemas: new Map(state.schemas),
    idsByKey: new Map(state.idsByKey),
    subjects: new Map(state.subjects),
    subjectCompatibility: new Map(state.subjectCompatibility),
  };
}

export function identityKey(json: unknown, references: readonly SchemaReference[]): string {
  return JSON.stringify([canonicalSchema(json), references.map((r) => [r.name, r.subject, r.version])]);
}

// Ids are never reused: schemas stay in the id table even after every subject using them is deleted.
export function nextSchemaId(state: RegistryState): number {
  let max = 0;
  for (const id of state.schemas.keys()) max = Math.max(max, id);
  return max + 1;
}

export function toSnapshot(state: RegistryState): RegistrySnapshot {
  const names = new Set([...state.subjects.keys(), ...state.subjectCompatibility.keys()]);
  return {
    format: 1,
    compatibility: state.compatibility,
    schemas: [...state.schemas.values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ id: s.id, schema: s.schema, references: [...s.references] })),
    subjects: [...names].sort().map((subject) => ({
      subject,
      compatibility: state.subjectCompatibility.get(subject),
      versions: [...(state.subjects.get(subject) ?? [])],
    })),
  };
}

/** Rebuilds state from a snapshot, checking what the file's shape alone cannot: unique ids, versions' targets. */
export function stateFromSnapshot(snapshot: RegistrySnapshot): RegistryState {
  const state = emptyState();
  state.compatibility = snapshot.compatibility;
  for (const s of snapshot.schemas) {
    if (state.schemas.has(s.id)) throw new Error(`schema id ${s.id} appears twice`);
    let key: string;
    try {
      key = identityKey(parseSchemaJson(s.schema), s.references);
    } catch (err) {
      throw new Error(`schema id ${s.id}: ${errorMessage(err)}`);
    }
    state.schemas.set(s.id, { id: s.id, schema: s.schema, references: s.references, key });
    if (!state.idsByKey.has(key)) state.idsByKey.set(key, s.id);
  }
  for (const { subject, compatibility, versions } of snapshot.subjects) {
    if (state.subjects.has(subject) || state.subjectCompatibility.has(subject)) {
      throw new Error(`subject '${subject}' appears twice`);
    }
    versions.forEach((v, i) => {
      if (!state.schemas.has(v.id)) throw new Error(`subject '${subject}' version ${v.version}: no schema id ${v.id}`);
      const previous = versions[i - 1];
      if (previous && previous.version >= v.version) throw new Error(`subject '${subject}': versions out of order`);
    });
    if (versions.length > 0) state.subjects.set(subject, versions);
    if (compatibility) state.subjectCompatibility.set(subject, compatibility);
  }
  return state;
}
