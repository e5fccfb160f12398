// Compatibility levels and checks, judged by avsc's schema resolution: a reader can read a writer's data exactly
// when `reader.createResolver(writer)` succeeds.
import { type Type } from 'avsc';
import { errorMessage } from './errors';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/** Case-insensitive, as Confluent accepts `backward` as well as `BACKWARD`. */
export function parseCompatibilityLevel(value: string): CompatibilityLevel | undefined {
  const upper = value.toUpperCase();
  return COMPATIBILITY_LEVELS.find((level) => level === upper);
}

export interface VersionedType {
  readonly version: number;
  readonly type: Type;
}

/**
 * Problems with `candidate` against a subject's existing versions (oldest first) under `level`; empty when
 * compatible. Non-transitive levels only look at the latest version.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: Type,
  existing: readonly VersionedType[],
): string[] {
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? existing : existing.slice(-1);
  return against.flatMap((previous) => checkPair(level, candidate, previous));
}

/** Problems with `candidate` against one version under the direction of `level` (transitivity is moot here). */
export function checkPair(level: CompatibilityLevel, candidate: Type, previous: VersionedType): string[] {
  const problems: string[] = [];
  if (level.startsWith('BACKWARD') || level.startsWith('FULL')) {
    const why = cannotRead(candidate, previous.type);
    if (why !== undefined) {
      problems.push(`new schema cannot read data written with version ${previous.version}: ${why}`);
    }
  }
  if (level.startsWith('FORWARD') || level.startsWith('FULL')) {
    const why = cannotRead(previous.type, candidate);
    if (why !== undefined) {
      problems.push(`version ${previous.version} cannot read data written with new schema: ${why}`);
    }
  }
  return problems;
}

function cannotRead(reader: Type, writer: Type): string | undefined {
  // avsc crashes with a TypeError instead of explaining when a record reader meets a non-record writer.
  if (isRecord(reader) && !isRecord(writer) && !writer.typeName.includes('union')) {
    return `cannot read ${describe(writer)} as ${describe(reader)}`;
  }
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

function isRecord(type: Type): boolean {
  return type.typeName === 'record' || type.typeName === 'error';
}

function describe(type: Type): string {
  return JSON.stringify(type.name ?? type.typeName);
}
