import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RunStateCorruptError, SqliteRunStateStore } from './run-state-store';

describe('SqliteRunStateStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'builder-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps cancellations and outcomes across a reopen (a restart)', () => {
    const path = join(dir, 'nested', 'state.db');
    const first = new SqliteRunStateStore(path);
    first.markCancelled('r1', 10);
    first.markCancelled('r1', 20);
    first.saveOutcome('r2', { kind: 'built', events: [{ topic: 't', payload: { event_id: 'e1' } }] });
    first.saveOutcome('r2', { kind: 'failed', events: [] });
    first.close();

    const second = new SqliteRunStateStore(path);
    expect(second.isCancelled('r1')).toBe(true);
    expect(second.isCancelled('r2')).toBe(false);
    // The first outcome stays.
    expect(second.outcomeOf('r2')).toEqual({ kind: 'built', events: [{ topic: 't', payload: { event_id: 'e1' } }] });
    expect(second.outcomeOf('r3')).toBeNull();
    expect(second.ping()).toBe(true);
    second.close();
    expect(second.ping()).toBe(false);
  });

  it('names the run when a stored outcome is unreadable', () => {
    const path = join(dir, 'state.db');
    new SqliteRunStateStore(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO run_outcomes (run_id, outcome, saved_at) VALUES (?, ?, ?)').run('r9', '{"kind":"odd"}', 1);
    db.close();
    const store = new SqliteRunStateStore(path);
    expect(() => store.outcomeOf('r9')).toThrow(RunStateCorruptError);
    expect(() => store.outcomeOf('r9')).toThrow(/run 'r9'.*kind/);
    store.close();
  });
});
