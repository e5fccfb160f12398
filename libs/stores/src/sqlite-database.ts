// Opening a SQLite database the way both SQLite adapters need it: WAL (readers never block the writer),
// synchronous=NORMAL (durable at each checkpoint, safe with WAL), the schema applied idempotently. `pageSize` applies
// to a new file only (SQLite keeps an existing database's page size in WAL mode), so it must come before WAL.
import Database from 'better-sqlite3';
import { type SqliteConfig } from './config';

export function openSqlite(
  config: SqliteConfig,
  schemaSql: string,
  options: { readonly pageSize?: number } = {},
): Database.Database {
  const db = new Database(config.path, { timeout: config.busyTimeoutMs });
  try {
    if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(schemaSql);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
