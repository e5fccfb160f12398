// Documents on SQLite: one table per collection holding the JSON document, with a generated column per indexed
// field (json_extract) so every lookup path and unique key is a real index. A guarded update is one UPDATE statement
// (json_set, the guard in its WHERE), so it is atomic even across processes without a read-modify-write in
// JavaScript: the read model takes one such update per event, and parsing and rewriting whole documents in a
// transaction cost more than everything else the store did.
import type Database from 'better-sqlite3';
import { BootState, defaultSleep, type Sleep, type StoreHealth, type StoreLifecycle } from '../boot';
import { parseStoreConfig, sqliteConfigSchema, type SqliteConfig, type SqliteConfigInput } from '../config';
import { ConflictError } from '../errors';
import { runSync } from '../timeout';
import { collectionNames, collections, indexedFields, type CollectionName } from './collections';
import {
  type Doc,
  type DocInput,
  type DocFilter,
  type Documents,
  type Guard,
  type KeysetAfter,
  type UpdateOutcome,
} from './documents';
import { openSqlite } from '../sqlite-database';
import { cachePreparedStatements } from '../sqlite-statements';

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Field names come from the collection table, never from callers; checked anyway before going into SQL. */
function column(name: string): string {
  return quoteIdent(jsonKey(name));
}

/** A field name safe inside a JSON path literal ('$.name') as well as an identifier. */
function jsonKey(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a field name: ${name}`);
  return name;
}

export function sqliteSchema(): string {
  const statements: string[] = [];
  for (const name of collectionNames) {
    const spec = collections[name];
    const generated = indexedFields(spec).map(
      (f) => `${column(f)} GENERATED ALWAYS AS (json_extract(doc, '$.${f}')) VIRTUAL`,
    );
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL, ${generated.join(', ')})`,
    );
    for (const f of spec.filters) {
      statements.push(
        `CREATE INDEX IF NOT EXISTS ${name}_by_${f} ON ${name} (${column(f)}, ${column(spec.sortField)}, id)`,
      );
    }
    statements.push(`CREATE INDEX IF NOT EXISTS ${name}_order ON ${name} (${column(spec.sortField)}, id)`);
    for (const keys of spec.unique) {
      statements.push(
        `CREATE UNIQUE INDEX IF NOT EXISTS ${name}_unique_${keys.join('_')} ON ${name} (${keys.map(column).join(', ')})`,
      );
    }
  }
  return statements.map((s) => `${s};`).join('\n');
}

export class SqliteDocuments implements Documents, StoreLifecycle {
  public readonly backend = 'sqlite' as const;
  private readonly config: SqliteConfig;
  private readonly boot: BootState;
  private db: Database.Database | undefined;

  public constructor(config: SqliteConfigInput, options: { readonly sleep?: Sleep } = {}) {
    this.config = parseStoreConfig(sqliteConfigSchema, config);
    this.boot = new BootState('sqlite', this.config.boot, options.sleep ?? defaultSleep);
  }

  public connect(): Promise<void> {
    return this.boot.connect(() => {
      this.db = cachePreparedStatements(openSqlite(this.config, sqliteSchema()));
    });
  }

  public health(): Promise<StoreHealth> {
    return Promise.resolve(this.boot.health());
  }

  public close(): Promise<void> {
    this.boot.markClosed();
    this.db?.close();
    this.db = undefined;
    return Promise.resolve();
  }

  public insert(collection: CollectionName, doc: DocInput): Promise<void> {
    return runSync(
      () => {
        try {
          this.open('insert')
            .prepare(`INSERT INTO ${collection} (id, doc) VALUES (?, ?)`)
            .run(doc.id, JSON.stringify(doc));
        } catch (err) {
          if (isConstraint(err))
            throw new ConflictError('insert', 'sqlite', collections[collection].entity, doc.id, { cause: err });
          throw err;
        }
      },
      'insert',
      'sqlite',
    );
  }

  public insertIfAbsent(collection: CollectionName, doc: DocInput): Promise<boolean> {
    return runSync(
      () =>
        // No conflict target: any unique key (the id or the collection's own) makes it a no-op, as insert's
        // ConflictError would — without the cost of raising and catching an error per repeat.
        this.open('insertIfAbsent')
          .prepare(`INSERT INTO ${collection} (id, doc) VALUES (?, ?) ON CONFLICT DO NOTHING`)
          .run(doc.id, JSON.stringify(doc)).changes === 1,
      'insertIfAbsent',
      'sqlite',
    );
  }

  public upsertMany(collection: CollectionName, docs: readonly DocInput[]): Promise<void> {
    return runSync(
      () => {
        const db = this.open('upsertMany');
        const upsert = db.prepare(
          `INSERT INTO ${collection} (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
        );
        db.transaction(() => {
          for (const doc of docs) upsert.run(doc.id, JSON.stringify(doc));
        })();
      },
      'upsertMany',
      'sqlite',
    );
  }

  public get(collection: CollectionName, id: string): Promise<Doc | undefined> {
    return runSync(
      () => {
        const row = this.open('get').prepare(`SELECT doc FROM ${collection} WHERE id = ?`).get(id) as
          { doc: string } | undefined;
        return row ? (JSON.parse(row.doc) as Doc) : undefined;
      },
      'get',
      'sqlite',
    );
  }

  public update(
    collection: CollectionName,
    id: string,
    set: Readonly<Record<string, unknown>>,
    guard?: Guard,
  ): Promise<UpdateOutcome> {
    return runSync(
      () => {
        const db = this.open('update');
        const { sql, params } = updateStatement(collection, id, set, guard);
        if (db.prepare(sql).run(...params).changes === 1) return 'applied';
        // Nothing changed: the guard held it back, or there is no such document.
        const exists = db.prepare(`SELECT 1 FROM ${collection} WHERE id = ?`).get(id) !== undefined;
        return exists ? 'guarded' : 'missing';
      },
      'update',
      'sqlite',
    );
  }

  public list(
    collection: CollectionName,
    filter: DocFilter,
    after: KeysetAfter | undefined,
    limit: number,
  ): Promise<Doc[]> {
    return runSync(
      () => {
        const spec = collections[collection];
        const { where, params } = whereClause(filter);
        const sort = column(spec.sortField);
        const dir = spec.direction === 'desc' ? 'DESC' : 'ASC';
        if (after) {
          where.push(`(${sort}, id) ${spec.direction === 'desc' ? '<' : '>'} (?, ?)`);
          params.push(after.value, after.id);
        }
        const rows = this.open('list')
          .prepare(
            `SELECT doc FROM ${collection} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
             ORDER BY ${sort} ${dir}, id ${dir} LIMIT ?`,
          )
          .all(...params, limit) as { doc: string }[];
        return rows.map((r) => JSON.parse(r.doc) as Doc);
      },
      'list',
      'sqlite',
    );
  }

  public deleteWhere(collection: CollectionName, filter: DocFilter): Promise<number> {
    return runSync(
      () => {
        const { where, params } = whereClause(filter);
        return this.open('deleteWhere')
          .prepare(`DELETE FROM ${collection} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`)
          .run(...params).changes;
      },
      'deleteWhere',
      'sqlite',
    );
  }

  private open(operation: string): Database.Database {
    this.boot.requireReady(operation);
    if (!this.db) throw new RangeError('no database'); // unreachable when ready
    return this.db;
  }
}

/**
 * `UPDATE … SET doc = json_set(doc, '$.f', json(?), …) WHERE id = ? [AND guard]`: the same document as reading it,
 * spreading `set` over it and writing it back (a field set to undefined is removed, as JSON.stringify drops it; the
 * id stays). Values go in as JSON text, so nested objects stay objects and numbers keep every digit. A missing or
 * null guard field passes the guard, as `String(undefined)` never named a terminal status.
 */
function updateStatement(
  collection: CollectionName,
  id: string,
  set: Readonly<Record<string, unknown>>,
  guard: Guard | undefined,
): { sql: string; params: unknown[] } {
  let doc = 'doc';
  const removed: string[] = [];
  const assignments: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(set)) {
    if (field === 'id') continue;
    const path = `'$.${jsonKey(field)}'`;
    const text = value === undefined ? undefined : JSON.stringify(value);
    if (text === undefined) {
      removed.push(path);
    } else {
      assignments.push(`${path}, json(?)`);
      params.push(text);
    }
  }
  if (removed.length > 0) doc = `json_remove(${doc}, ${removed.join(', ')})`;
  if (assignments.length > 0) doc = `json_set(${doc}, ${assignments.join(', ')})`;
  let where = 'id = ?';
  params.push(id);
  if (guard) {
    const current = `json_extract(doc, '$.${jsonKey(guard.field)}')`;
    where += ` AND (${current} IS NULL OR ${current} NOT IN (${guard.notIn.map(() => '?').join(', ')}))`;
    params.push(...guard.notIn);
  }
  return { sql: `UPDATE ${collection} SET doc = ${doc} WHERE ${where}`, params };
}

function whereClause(filter: DocFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(filter)) {
    const col = field === 'id' ? 'id' : column(field);
    if (Array.isArray(value)) {
      const values = value as readonly string[];
      where.push(values.length ? `${col} IN (${values.map(() => '?').join(', ')})` : '0');
      params.push(...values);
    } else {
      where.push(`${col} = ?`);
      params.push(value);
    }
  }
  return { where, params };
}

// Duck-typed, not `instanceof Error`: better-sqlite3's native addon keeps the SqliteError class of the first realm
// that loaded it, so under Jest's per-file module registries the class identity differs.
function isConstraint(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    typeof err.code === 'string' &&
    (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE')
  );
}
