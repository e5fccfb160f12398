// The registry proper, without HTTP: subjects and their versions, global schema ids, compatibility configuration.
// Every mutation builds a new state, persists it, and only then swaps it in, so a failed write changes nothing.
import { type Type } from 'avsc';
import { buildType, compactSchema, parseSchemaJson, type SchemaReference } from './avro-schema';
import { checkCompatibility, checkPair, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility';
import {
  errorMessage,
  incompatibleSchema,
  invalidCompatibilityLevel,
  invalidSchema,
  referenceExists,
  schemaNotFound,
  storeFailure,
  subjectConfigNotFound,
  subjectNotFound,
  versionNotFound,
} from './errors';
import {
  cloneState,
  emptyState,
  identityKey,
  nextSchemaId,
  stateFromSnapshot,
  toSnapshot,
  type RegistryState,
  type SchemaEntry,
  type VersionEntry,
} from './registry-state';
import { type RegistrySnapshot, type RegistryStore } from './registry-store';

export interface SchemaInput {
  readonly schema: string;
  readonly schemaType?: string | null;
  readonly references?: readonly SchemaReference[] | null;
}

export interface SchemaView {
  readonly schema: string;
  readonly references: readonly SchemaReference[];
}

export interface SubjectVersionView extends SchemaView {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
}

export interface RegisterResult {
  readonly id: number;
  readonly version: number;
  /** False when the subject already had this schema and nothing changed. */
  readonly created: boolean;
}

export type VersionSpec = number | 'latest';

interface PreparedSchema {
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  readonly key: string;
  readonly type: Type;
}

export class SchemaRegistryCore {
  private state: RegistryState;
  // Parsed avsc types by schema id, filled lazily; only committed ids get in, and ids are never reused.
  private readonly types = new Map<number, Type>();

  public constructor(private readonly store?: RegistryStore) {
    const snapshot = store?.load();
    this.state = emptyState();
    if (store && snapshot) this.restore(snapshot, store.location);
  }

  public stats(): { schemas: number; subjects: number } {
    return { schemas: this.state.schemas.size, subjects: this.state.subjects.size };
  }

  /** Registers `input` under `subject`, or returns the existing version when the subject already has it. */
  public register(subject: string, input: SchemaInput): RegisterResult {
    const prepared = this.prepare(input);
    const versions = this.state.subjects.get(subject) ?? [];
    const existing = versions.find((v) => this.entry(v.id).key === prepared.key);
    if (existing) return { id: existing.id, version: existing.version, created: false };

    const level = this.effectiveCompatibility(subject);
    if (level !== 'NONE') {
      const history = versions.map((v) => ({ version: v.version, type: this.typeOf(v.id) }));
      const problems = checkCompatibility(level, prepared.type, history);
      if (problems.length > 0) throw incompatibleSchema(subject, problems);
    }

    const next = cloneState(this.state);
    let id = next.idsByKey.get(prepared.key);
    if (id === undefined) {
      id = nextSchemaId(next);
      next.schemas.set(id, { id, schema: prepared.schema, references: prepared.references, key: prepared.key });
      next.idsByKey.set(prepared.key, id);
    }
    const version = (versions.at(-1)?.version ?? 0) + 1;
    next.subjects.set(subject, [...versions, { version, id }]);
    this.commit(next);
    if (!this.types.has(id)) this.types.set(id, prepared.type);
    return { id, version, created: true };
  }

  /** Which version of `subject`, if any, holds `input`. */
  public lookup(subject: string, input: SchemaInput): SubjectVersionView {
    const prepared = this.prepare(input);
    const versions = this.state.subjects.get(subject);
    if (!versions) throw subjectNotFound(subject);
    const found = versions.find((v) => this.entry(v.id).key === prepared.key);
    if (!found) throw schemaNotFound();
    return this.view(subject, found);
  }

  public schemaById(id: number): SchemaView {
    const entry = this.state.schemas.get(id);
    if (!entry) throw schemaNotFound(`Schema ${id} not found`);
    return { schema: entry.schema, references: entry.references };
  }

  public subjectVersionsForId(id: number): { subject: string; version: number }[] {
    this.schemaById(id);
    const out: { subject: string; version: number }[] = [];
    for (const [subject, versions] of this.state.subjects) {
      for (const v of versions) if (v.id === id) out.push({ subject, version: v.version });
    }
    return out;
  }

  public subjects(): string[] {
    return [...this.state.subjects.keys()].sort();
  }

  public versions(subject: string): number[] {
    const versions = this.state.subjects.get(subject);
    if (!versions) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  public version(subject: string, spec: VersionSpec): SubjectVersionView {
    return this.view(subject, this.resolveVersion(subject, spec));
  }

  /**
   * Deletes the subject's versions and its compatibility setting; returns the deleted versions. Schemas keep their
   * global ids, so registering one again reuses its id, as in Confluent.
   */
  public deleteSubject(subject: string): number[] {
    const versions = this.versions(subject);
    this.assertNotReferenced(subject, versions, true);
    const next = cloneState(this.state);
    next.subjects.delete(subject);
    next.subjectCompatibility.delete(subject);
    this.commit(next);
    return versions;
  }

  public deleteVersion(subject: string, spec: VersionSpec): number {
    const target = this.resolveVersion(subject, spec);
    this.assertNotReferenced(subject, [target.version], false);
    const next = cloneState(this.state);
    const remaining = (next.subjects.get(subject) ?? []).filter((v) => v.version !== target.version);
    if (remaining.length > 0) next.subjects.set(subject, remaining);
    else next.subjects.delete(subject);
    this.commit(next);
    return target.version;
  }

  /**
   * Problems registering `input` would have under the subject's level: against one version, or with 'all' against
   * every version the level looks at (the latest, or all of them when transitive). Empty when compatible.
   */
  public testCompatibility(subject: string, spec: VersionSpec | 'all', input: SchemaInput): string[] {
    const prepared = this.prepare(input);
    const level = this.effectiveCompatibility(subject);
    if (spec === 'all') {
      if (level === 'NONE') return [];
      const history = (this.state.subjects.get(subject) ?? []).map((v) => ({
        version: v.version,
        type: this.typeOf(v.id),
      }));
      return checkCompatibility(level, prepared.type, history);
    }
    const target = this.resolveVersion(subject, spec);
    if (level === 'NONE') return [];
    return checkPair(level, prepared.type, { version: target.version, type: this.typeOf(target.id) });
  }

  public globalCompatibility(): CompatibilityLevel {
    return this.state.compatibility;
  }

  public setGlobalCompatibility(value: string): CompatibilityLevel {
    const level = parseCompatibilityLevel(value);
    if (!level) throw invalidCompatibilityLevel(value);
    if (level === this.state.compatibility) return level;
    const next = cloneState(this.state);
    next.compatibility = level;
    this.commit(next);
    return level;
  }

  /** The subject's own level; 40408 when it has none, unless `defaultToGlobal`. */
  public subjectCompatibility(subject: string, defaultToGlobal = false): CompatibilityLevel {
    const own = this.state.subjectCompatibility.get(subject);
    if (own) return own;
    if (defaultToGlobal) return this.state.compatibility;
    throw subjectConfigNotFound(subject);
  }

  public setSubjectCompatibility(subject: string, value: string): CompatibilityLevel {
    const level = parseCompatibilityLevel(value);
    if (!level) throw invalidCompatibilityLevel(value);
    if (this.state.subjectCompatibility.get(subject) === level) return level;
    const next = cloneState(this.state);
    next.subjectCompatibility.set(subject, level);
    this.commit(next);
    return level;
  }

  /** Drops the subject's own level (it falls back to the global one); returns the level it had. */
  public deleteSubjectCompatibility(subject: string): CompatibilityLevel {
    const previous = this.subjectCompatibility(subject);
    const next = cloneState(this.state);
    next.subjectCompatibility.delete(subject);
    this.commit(next);
    return previous;
  }

  private effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.state.subjectCompatibility.get(subject) ?? this.state.compatibility;
  }

  private prepare(input: SchemaInput): PreparedSchema {
    const schemaType = input.schemaType ?? 'AVRO';
    if (schemaType.toUpperCase() !== 'AVRO') {
      throw invalidSchema(`schemaType ${schemaType}: only AVRO is supported by the embedded registry`);
    }
    const references = (input.references ?? []).map(({ name, subject, version }) => ({ name, subject, version }));
    const json = parseSchemaJson(input.schema);
    const type = buildType(input.schema, this.resolveDependencies(references));
    return { schema: compactSchema(json), references, key: identityKey(json, references), type };
  }

  /** Texts of the schemas `references` point at, transitively, dependencies first. */
  private resolveDependencies(references: readonly SchemaReference[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (ref: SchemaReference): void => {
      const seenKey = `${ref.subject}\u0000${ref.version}`;
      if (seen.has(seenKey)) return;
      seen.add(seenKey);
      const target = this.state.subjects.get(ref.subject)?.find((v) => v.version === ref.version);
      if (!target) {
        throw invalidSchema(
          `reference '${ref.name}' points at subject '${ref.subject}' version ${ref.version}, which does not exist`,
        );
      }
      const entry = this.entry(target.id);
      entry.references.forEach(visit);
      out.push(entry.schema);
    };
    references.forEach(visit);
    return out;
  }

  private typeOf(id: number): Type {
    let type = this.types.get(id);
    if (!type) {
      const entry = this.entry(id);
      type = buildType(entry.schema, this.resolveDependencies(entry.references));
      this.types.set(id, type);
    }
    return type;
  }

  private entry(id: number): SchemaEntry {
    const entry = this.state.schemas.get(id);
    // Versions only ever point at existing ids (checked on load, kept by every mutation).
    if (!entry) throw new Error(`internal: schema id ${id} is missing`);
    return entry;
  }

  private resolveVersion(subject: string, spec: VersionSpec): VersionEntry {
    const versions = this.state.subjects.get(subject);
    if (!versions) throw subjectNotFound(subject);
    const found = spec === 'latest' ? versions.at(-1) : versions.find((v) => v.version === spec);
    if (!found) throw versionNotFound(spec);
    return found;
  }

  private view(subject: string, v: VersionEntry): SubjectVersionView {
    const entry = this.entry(v.id);
    return { subject, version: v.version, id: v.id, schema: entry.schema, references: entry.references };
  }

  // Confluent refuses to delete a version that another live schema version references (42206).
  private assertNotReferenced(subject: string, versions: readonly number[], wholeSubject: boolean): void {
    for (const [referrer, entries] of this.state.subjects) {
      if (wholeSubject && referrer === subject) continue;
      for (const v of entries) {
        const ref = this.entry(v.id).references.find((r) => r.subject === subject && versions.includes(r.version));
        if (ref) throw referenceExists(subject, ref.version);
      }
    }
  }

  private commit(next: RegistryState): void {
    if (this.store) {
      try {
        this.store.save(toSnapshot(next));
      } catch (err) {
        throw storeFailure(errorMessage(err));
      }
    }
    this.state = next;
  }

  private restore(snapshot: RegistrySnapshot, location: string): void {
    const corrupt = (detail: string): Error => new Error(`corrupt schema registry state file ${location}: ${detail}`);
    try {
      this.state = stateFromSnapshot(snapshot);
    } catch (err) {
      throw corrupt(errorMessage(err));
    }
    // Parse every stored schema now, so a damaged file fails at start rather than on some later request.
    for (const id of this.state.schemas.keys()) {
      try {
        this.typeOf(id);
      } catch (err) {
        throw corrupt(`schema id ${id}: ${errorMessage(err)}`);
      }
    }
  }
}
