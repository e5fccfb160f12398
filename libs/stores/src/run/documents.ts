// What the RunStore needs from a document database, and nothing more: the run-state logic (guards, defaults,
// pagination) lives once in DocumentRunStore above two small backends.
import { type StoreBackend, StoreError } from '../errors';
import { type CollectionName } from './collections';

/** A document as read back. */
export type Doc = Readonly<Record<string, unknown>> & { readonly id: string };

/** A document to write: any object with an id (the entity interfaces have no index signature). */
export interface DocInput {
  readonly id: string;
}

/** Equality, or membership when an array is given. */
export type DocFilter = Readonly<Record<string, string | number | readonly string[]>>;

/** A guarded update applies only while `field`'s current value is not one of `notIn`. */
export interface Guard {
  readonly field: string;
  readonly notIn: readonly string[];
}

export type UpdateOutcome = 'applied' | 'guarded' | 'missing';

export interface KeysetAfter {
  readonly value: string | number;
  readonly id: string;
}

export interface Documents {
  readonly backend: StoreBackend;
  /** Throws ConflictError on a duplicate id or unique key. */
  insert(collection: CollectionName, doc: DocInput): Promise<void>;
  /**
   * Inserts unless a document with the same id or unique key exists (which is left as it is); true when inserted.
   * For idempotent creates: a repeat costs no error.
   */
  insertIfAbsent(collection: CollectionName, doc: DocInput): Promise<boolean>;
  /** Insert or replace by id. */
  upsertMany(collection: CollectionName, docs: readonly DocInput[]): Promise<void>;
  get(collection: CollectionName, id: string): Promise<Doc | undefined>;
  /** Atomic: the guard is checked and the fields set in one step. */
  update(
    collection: CollectionName,
    id: string,
    set: Readonly<Record<string, unknown>>,
    guard?: Guard,
  ): Promise<UpdateOutcome>;
  /** Up to `limit` documents in the collection's order, strictly after `after`. */
  list(collection: CollectionName, filter: DocFilter, after: KeysetAfter | undefined, limit: number): Promise<Doc[]>;
  deleteWhere(collection: CollectionName, filter: DocFilter): Promise<number>;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1000;

/** Opaque cursor: base64url of [sortValue, id] of the last item returned. */
export function encodeCursor(after: KeysetAfter): string {
  return Buffer.from(JSON.stringify([after.value, after.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, operation: string, backend: StoreBackend): KeysetAfter {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') &&
      typeof parsed[1] === 'string'
    ) {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw new StoreError(operation, backend, 'invalid', 'malformed page cursor');
}
