// better-sqlite3 compiles a statement on every `prepare`; stores that prepare per call spent more time compiling SQL
// than running it (a tenth of the jobs API's CPU under 20 concurrent runs). This memoises `prepare` per SQL text on
// one connection. Only for code that runs statements to completion (`run`, `get`, `all`): a cached statement that is
// mid-`iterate()` cannot be started again, so streaming readers keep preparing their own.
import type Database from 'better-sqlite3';

const MAX_CACHED = 512;

/** Makes `db.prepare(sql)` return one compiled statement per distinct SQL text; returns `db`. */
export function cachePreparedStatements<T extends Database.Database>(db: T): T {
  const cache = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db) as (...args: unknown[]) => Database.Statement;
  const cached = (...args: unknown[]): Database.Statement => {
    // better-sqlite3's own helpers (pragma) call prepare with internal extra arguments: leave those alone.
    if (args.length !== 1 || typeof args[0] !== 'string') return prepare(...args);
    const sql = args[0];
    let statement = cache.get(sql);
    if (statement === undefined) {
      // SQL built from filters (`IN (?, ?, …)`) varies a little; a bound keeps a pathological caller from growing it.
      if (cache.size >= MAX_CACHED) cache.clear();
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  db.prepare = cached as T['prepare'];
  return db;
}

/**
 * Adds a nullable column to a table made by an older version of a state file (SQLite has no `ADD COLUMN IF NOT
 * EXISTS`). Names come from the caller's code, never from input.
 */
export function addColumnIfMissing(db: Database.Database, table: string, column: string, type: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
