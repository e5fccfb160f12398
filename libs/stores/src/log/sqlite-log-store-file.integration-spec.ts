// The SQLite log store on a file: WAL checkpoints bring pages into the database file while the store is open,
// appends sent together answer in order with exact insert/duplicate counts, nothing is lost across close and reopen,
// and a closed store leaves no WAL behind; new files get large pages, older files keep theirs and stay writable.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testing, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { type LogRecordInput } from './log-store';
import { SqliteLogStore } from './sqlite-log-store';

const base = testing.sampleEvents[Topics.llmCallLoggedV1];
const MiB = 1024 * 1024;

function input(n: number): LogRecordInput {
  const record: LlmCallLoggedV1 = {
    ...base,
    event_id: `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    log_id: `log-${n}`,
    timestamp: Date.UTC(2025, 0, 1) + n,
    // ~4 KiB per record, so a few thousand records are well past SQLite's usual 1,000-page checkpoint point.
    request: {
      ...base.request,
      messages: [
        { role: 'user', content: `q${n} ${'x'.repeat(4000)}`, name: null, tool_call_id: null, tool_calls: [] },
      ],
    },
  };
  return { id: `log-${n}`, record, source: 'test' };
}

async function appendRange(store: SqliteLogStore, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n += 500) {
    await store.append(Array.from({ length: Math.min(500, to - n) }, (_, k) => input(n + k)));
  }
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('SqliteLogStore on a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-wal-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies appended pages into the database file while the store stays open', async () => {
    const path = join(dir, 'logs.db');
    const store = new SqliteLogStore({ path });
    await store.connect();
    try {
      const empty = statSync(path).size;
      await appendRange(store, 0, 6000); // ~27 MiB of records: well past SQLite's 1,000-page checkpoint point
      const grown = await eventually(() => statSync(path).size > empty + 8 * MiB, 30_000);
      expect(grown).toBe(true);
      const counts = await store.countByWorkload();
      expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(6000);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('keeps every record across close and reopen, and leaves no WAL behind', async () => {
    const path = join(dir, 'logs.db');
    const first = new SqliteLogStore({ path });
    await first.connect();
    await appendRange(first, 0, 3000);
    await first.close();
    expect(existsSync(`${path}-wal`)).toBe(false);

    const second = new SqliteLogStore({ path });
    await second.connect();
    try {
      const again = await second.append([input(10), input(2999), input(3000)]);
      expect(again).toEqual({ inserted: 1, duplicates: 2 });
      const counts = await second.countByWorkload();
      expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(3001);
      const newest = await second.query({ workloadId: base.workload_id, limit: 2 });
      expect(newest.map((r) => r.id)).toEqual(['log-3000', 'log-2999']);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('answers appends sent together in order, each with its own counts', async () => {
    const store = new SqliteLogStore({ path: join(dir, 'logs.db') });
    await store.connect();
    try {
      const results = await Promise.all([
        store.append([input(1), input(2)]),
        store.append([input(2), input(3)]),
        store.append([input(1), input(3), input(3)]),
      ]);
      expect(results).toEqual([
        { inserted: 2, duplicates: 0 },
        { inserted: 1, duplicates: 1 },
        { inserted: 0, duplicates: 3 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('refuses a record without ids, and keeps writing afterwards', async () => {
    const store = new SqliteLogStore({ path: join(dir, 'logs.db') });
    await store.connect();
    try {
      const bad = { ...input(1), record: { ...input(1).record, workload_id: '' } };
      await expect(store.append([bad])).rejects.toMatchObject({ kind: 'invalid', operation: 'append' });
      expect(await store.append([input(1)])).toEqual({ inserted: 1, duplicates: 0 });
    } finally {
      await store.close();
    }
  });

  it('creates new files with 16 KiB pages and keeps writing files made with the default 4 KiB pages', async () => {
    const pageSize = (path: string): unknown => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    const fresh = join(dir, 'new.db');
    const store = new SqliteLogStore({ path: fresh });
    await store.connect();
    await appendRange(store, 0, 10);
    await store.close();
    expect(pageSize(fresh)).toBe(16384);

    // A file an earlier version created: same schema, SQLite's default page size.
    const older = join(dir, 'older.db');
    const legacy = new Database(older);
    legacy.pragma('journal_mode = WAL');
    legacy.exec(
      'CREATE TABLE log_records (id TEXT PRIMARY KEY, workload_id TEXT NOT NULL, client_id TEXT NOT NULL, ' +
        'timestamp INTEGER NOT NULL, source TEXT NOT NULL, ingested_at INTEGER NOT NULL, record TEXT NOT NULL)',
    );
    legacy.close();
    const reopened = new SqliteLogStore({ path: older });
    await reopened.connect();
    try {
      expect(await reopened.append([input(1), input(2)])).toEqual({ inserted: 2, duplicates: 0 });
      expect((await reopened.query({ workloadId: base.workload_id, limit: 5 })).map((r) => r.id)).toEqual([
        'log-2',
        'log-1',
      ]);
    } finally {
      await reopened.close();
    }
    expect(pageSize(older)).toBe(4096);
  });

  it('closes cleanly right after opening', async () => {
    const store = new SqliteLogStore({ path: join(dir, 'logs.db') });
    await store.connect();
    await store.close();
    await store.close(); // twice is harmless
    await expect(store.append([input(1)])).rejects.toMatchObject({ operation: 'append' });
  });
});
