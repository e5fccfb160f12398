// Schema and index definitions, checked without a server: what the real adapters will create at boot.
import Database from 'better-sqlite3';
import { logIndexTemplate } from './log/es-index-template';
import { SqliteLogStore } from './log/sqlite-log-store';
import { collectionNames, collections } from './run/collections';
import { mongoIndexes } from './run/mongo-documents';
import { sqliteSchema } from './run/sqlite-documents';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Elasticsearch index template', () => {
  const template = logIndexTemplate('flywheel-');
  const mappings = template.template?.mappings;

  it('never rejects unknown fields and keeps ids as keywords, bodies stored but not indexed', () => {
    expect(template.index_patterns).toEqual(['flywheel-logs*']);
    expect(mappings?.dynamic).toBe(false);
    expect(mappings?.properties?.workload_id).toEqual({ type: 'keyword' });
    expect(mappings?.properties?.event_id).toEqual({ type: 'keyword' });
    expect(mappings?.properties?.request).toEqual({ type: 'object', enabled: false });
    expect(mappings?.properties?.response).toEqual({ type: 'object', enabled: false });
    expect(mappings?.properties?.timestamp).toEqual({
      type: 'date',
      format: 'epoch_millis||strict_date_optional_time',
    });
  });
});

describe('MongoDB indexes', () => {
  it('index every lookup path with the list order as tail, and each unique key', () => {
    expect(mongoIndexes('candidates')).toEqual([
      { name: 'run_id_created_at', key: { run_id: 1, created_at: 1, _id: 1 } },
      { name: 'order_created_at', key: { created_at: 1, _id: 1 } },
      { name: 'unique_run_id_model_name', key: { run_id: 1, model_name: 1 }, unique: true },
    ]);
    for (const name of collectionNames) {
      const names = mongoIndexes(name).map((i) => i.name);
      for (const f of collections[name].filters) expect(names).toContain(`${f}_${collections[name].sortField}`);
    }
  });
});

describe('SQLite schemas', () => {
  it('are idempotent and index every lookup path (the planner uses them)', () => {
    const db = new Database(':memory:');
    db.exec(sqliteSchema());
    db.exec(sqliteSchema());
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM evaluations WHERE candidate_id = ? ORDER BY created_at, id LIMIT 5`)
      .all('c1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX evaluations_by_candidate_id/);
    db.close();
  });

  it('reopens an existing log database without error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flywheel-schema-'));
    try {
      const path = join(dir, 'logs.db');
      for (let i = 0; i < 2; i += 1) {
        const store = new SqliteLogStore({ path });
        await store.connect();
        expect((await store.health()).ready).toBe(true);
        await store.close();
      }
      const db = new Database(path, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries a database it cannot open and reports it unavailable', async () => {
    const store = new SqliteLogStore(
      { path: '/nonexistent-dir/deeper/logs.db', boot: { maxAttempts: 3, backoffBaseMs: 0, backoffMaxMs: 0 } },
      { sleep: () => Promise.resolve() },
    );
    await expect(store.connect()).rejects.toMatchObject({ kind: 'unavailable', operation: 'connect' });
    expect(await store.health()).toMatchObject({ ready: false, state: 'unavailable', attempts: 3 });
  });
});
