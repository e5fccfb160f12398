// The embedded LogStore: one SQLite file in WAL mode. Records are rows keyed by their stable id (INSERT OR IGNORE
// makes redelivery a no-op); the whole record, bodies included, is JSON TEXT; reads walk an index on
// (workload_id, client_id, timestamp, id) newest first, streaming by keyset pages.
import type Database from 'better-sqlite3';
import { type LlmCallLoggedV1 } from '@flywheel/contracts';
import { BootState, defaultSleep, type Sleep, type StoreHealth } from '../boot';
import { parseStoreConfig, sqliteConfigSchema, type SqliteConfig, type SqliteConfigInput } from '../config';
import { asStoreError } from '../errors';
import { runSync } from '../timeout';
import {
  checkLimit,
  checkLogRecord,
  DEFAULT_STREAM_PAGE_SIZE,
  type AppendResult,
  type LogFilter,
  type LogQuery,
  type LogRecordInput,
  type LogStore,
  type LogStreamOptions,
  type StoredLogRecord,
  type WorkloadCount,
} from './log-store';
import { toEpochMillis } from './time';
import { openSqlite } from '../sqlite-database';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_records (
  id          TEXT PRIMARY KEY,
  workload_id TEXT NOT NULL,
  client_id   TEXT NOT NULL,
  timestamp   INTEGER NOT NULL,
  source      TEXT NOT NULL,
  ingested_at INTEGER NOT NULL,
  record      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_records_workload_client_time
  ON log_records (workload_id, client_id, timestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS log_records_workload_time ON log_records (workload_id, timestamp DESC, id DESC);
`;

// Records are JSON of about 2 KB (bodies can be far larger): with SQLite's default 4 KB pages most take an overflow
// page or share a page with one other, and every append writes (and checkpoints) twice the pages. 16 KB pages about
// halved SQLite's CPU per insert (the bench's records, batches of 1,000: ~18 → ~9–10 µs); 32 and 64 KB bought under
// 1 µs more. New files only: an existing file keeps the page size it was created with.
const PAGE_SIZE = 16_384;

const INSERT = `INSERT OR IGNORE INTO log_records (id, workload_id, client_id, timestamp, source, ingested_at, record)
 VALUES (?, ?, ?, ?, ?, ?, ?)`;

interface Row {
  id: string;
  source: string;
  ingested_at: number;
  record: string;
}

type StreamRow = Row & { timestamp: number };

export interface StoreClockOptions {
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

export class SqliteLogStore implements LogStore {
  public readonly backend = 'sqlite' as const;
  private readonly config: SqliteConfig;
  private readonly boot: BootState;
  private readonly now: () => number;
  private db: Database.Database | undefined;
  /** The append's insert, in one transaction per batch; prepared once per connection. */
  private appendBatch: ((batch: readonly LogRecordInput[], ingestedAt: number) => number) | undefined;

  public constructor(config: SqliteConfigInput, options: StoreClockOptions = {}) {
    this.config = parseStoreConfig(sqliteConfigSchema, config);
    this.boot = new BootState('sqlite', this.config.boot, options.sleep ?? defaultSleep);
    this.now = options.now ?? Date.now;
  }

  public connect(): Promise<void> {
    return this.boot.connect(() => {
      const db = openSqlite(this.config, SCHEMA, { pageSize: PAGE_SIZE });
      const insert = db.prepare(INSERT);
      // One transaction per batch: durable together, and ~100x faster than a commit per row.
      this.appendBatch = db.transaction((batch: readonly LogRecordInput[], ingestedAt: number): number => {
        let n = 0;
        for (let i = 0; i < batch.length; i++) {
          const { id, record, source } = batch[i] as LogRecordInput;
          n += insert.run(
            id,
            record.workload_id,
            record.client_id,
            Math.trunc(record.timestamp),
            source,
            ingestedAt,
            JSON.stringify(record),
          ).changes;
        }
        return n;
      });
      this.db = db;
    });
  }

  public health(): Promise<StoreHealth> {
    return Promise.resolve(this.boot.health());
  }

  public close(): Promise<void> {
    this.boot.markClosed();
    this.db?.close();
    this.db = undefined;
    this.appendBatch = undefined;
    return Promise.resolve();
  }

  public append(batch: readonly LogRecordInput[]): Promise<AppendResult> {
    return runSync(
      () => {
        this.open('append');
        batch.forEach(checkLogRecord);
        const appendBatch = this.appendBatch;
        if (appendBatch === undefined) throw new RangeError('no database'); // unreachable when open
        const inserted = appendBatch(batch, this.now());
        return { inserted, duplicates: batch.length - inserted };
      },
      'append',
      'sqlite',
    );
  }

  public query(query: LogQuery): Promise<StoredLogRecord[]> {
    return runSync(
      () => {
        const limit = checkLimit(query.limit);
        const { where, params } = this.where(query);
        const rows = this.open('query')
          .prepare(
            `SELECT id, source, ingested_at, record FROM log_records WHERE ${where}
             ORDER BY timestamp DESC, id DESC LIMIT ?`,
          )
          .all(...params, limit) as Row[];
        return rows.map(toStored);
      },
      'query',
      'sqlite',
    );
  }

  public async *stream(filter: LogFilter, options: LogStreamOptions = {}): AsyncIterable<StoredLogRecord> {
    let first: Database.Statement;
    let next: Database.Statement;
    let params: unknown[];
    try {
      const pageSize = checkLimit(options.pageSize ?? DEFAULT_STREAM_PAGE_SIZE, 'pageSize');
      const base = this.where(filter);
      params = base.params;
      const db = this.open('stream');
      const select = 'SELECT id, source, ingested_at, record, timestamp FROM log_records WHERE';
      const order = `ORDER BY timestamp DESC, id DESC LIMIT ${pageSize}`;
      first = db.prepare(`${select} ${base.where} ${order}`);
      // A row-value comparison is an index range: every page starts where the last ended, O(page) not O(offset).
      next = db.prepare(`${select} ${base.where} AND (timestamp, id) < (?, ?) ${order}`);
    } catch (err) {
      throw asStoreError(err, 'stream', 'sqlite');
    }
    let last: StreamRow | undefined;
    for (;;) {
      let page: StreamRow[];
      try {
        this.boot.requireReady('stream');
        page = (last ? next.all(...params, last.timestamp, last.id) : first.all(...params)) as StreamRow[];
      } catch (err) {
        throw asStoreError(err, 'stream', 'sqlite');
      }
      for (const row of page) yield toStored(row);
      last = page.at(-1);
      if (!last) return;
      // Let other work run between pages: a long read must not starve the event loop.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  public countByWorkload(filter: { readonly clientId?: string } = {}): Promise<WorkloadCount[]> {
    return runSync(
      () => {
        const db = this.open('countByWorkload');
        const rows =
          filter.clientId === undefined
            ? db
                .prepare(
                  'SELECT workload_id, COUNT(*) AS count FROM log_records GROUP BY workload_id ORDER BY workload_id',
                )
                .all()
            : db
                .prepare(
                  `SELECT workload_id, COUNT(*) AS count FROM log_records WHERE client_id = ?
                   GROUP BY workload_id ORDER BY workload_id`,
                )
                .all(filter.clientId);
        return rows as WorkloadCount[];
      },
      'countByWorkload',
      'sqlite',
    );
  }

  private open(operation: string): Database.Database {
    this.boot.requireReady(operation);
    if (!this.db) throw new RangeError('no database'); // unreachable when ready
    return this.db;
  }

  private where(filter: LogFilter): { where: string; params: unknown[] } {
    const clauses = ['workload_id = ?'];
    const params: unknown[] = [filter.workloadId];
    if (filter.clientId !== undefined) {
      clauses.push('client_id = ?');
      params.push(filter.clientId);
    }
    if (filter.from !== undefined) {
      clauses.push('timestamp >= ?');
      params.push(toEpochMillis(filter.from));
    }
    if (filter.to !== undefined) {
      clauses.push('timestamp < ?');
      params.push(toEpochMillis(filter.to));
    }
    return { where: clauses.join(' AND '), params };
  }
}

function toStored(row: Row): StoredLogRecord {
  return {
    id: row.id,
    record: JSON.parse(row.record) as LlmCallLoggedV1,
    source: row.source,
    ingested_at: row.ingested_at,
  };
}
