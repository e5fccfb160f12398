// Opening a SQLite database the way both SQLite adapters need it: WAL (readers never block the writer),
// synchronous=NORMAL (durable at each checkpoint, safe with WAL), the schema applied idempotently.
import Database from 'better-sqlite3';
import { type SqliteConfig } from './config';

export function openSqlite(config: SqliteConfig, schemaSql: string): Database.Database {
  const db = new Database(config.path, { timeout: config.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(schemaSql);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
