// What the builder remembers about runs, beside the events: which runs were cancelled (a cancel may arrive before the
// request, or while it is being built) and the events a finished build emitted (a redelivered request re-publishes
// them with the same ids instead of building again). SQLite in WAL mode: a kill at any line leaves either the old or
// the new row, never half of one.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { cachePreparedStatements } from '@flywheel/stores';
import { z } from 'zod';

/** One event as the build published it: topic and payload, republished verbatim on redelivery. */
export interface StoredEvent {
  readonly topic: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface StoredOutcome {
  readonly kind: 'built' | 'failed';
  readonly events: readonly StoredEvent[];
}

/** A run request taken off the bus and not yet settled: what the build worker works through (and resumes). */
export interface QueuedBuild {
  readonly runId: string;
  /** The `run.requested` payload as consumed (validated by the bus then). */
  readonly request: Readonly<Record<string, unknown>>;
  /** Attempts that hit a transient error so far. */
  readonly attempts: number;
  /** Not attempted again before this time (epoch ms). */
  readonly nextAttemptAt: number;
}

export interface RunStateStore {
  /** Queues a request; a run already queued keeps its row (attempts and all). */
  enqueueBuild(runId: string, request: Readonly<Record<string, unknown>>, at: number): void;
  /** Queued builds due at `now`, oldest first, leaving out `exclude` (those in hand). */
  dueBuilds(now: number, limit: number, exclude: ReadonlySet<string>): QueuedBuild[];
  deferBuild(runId: string, attempts: number, nextAttemptAt: number): void;
  /** Removes a settled build (built, failed, cancelled, replayed). */
  dequeueBuild(runId: string): void;
  queuedBuilds(): number;
  isCancelled(runId: string): boolean;
  /** Idempotent; the first cancel time stays. */
  markCancelled(runId: string, at: number): void;
  outcomeOf(runId: string): StoredOutcome | null;
  /** The first outcome stays: a second build of the same run computes the same events anyway. */
  saveOutcome(runId: string, outcome: StoredOutcome): void;
  /** The candidate models of a run whose build began: what a later deletion must clean up. */
  recordModels(runId: string, models: readonly string[]): void;
  modelsOf(runId: string): string[];
  /** Whether the database answers (readiness). */
  ping(): boolean;
  close(): void;
}

const outcomeSchema = z.object({
  kind: z.enum(['built', 'failed']),
  events: z.array(z.object({ topic: z.string().min(1), payload: z.record(z.unknown()) })),
});

const jsonObject = z.record(z.unknown());

export class RunStateCorruptError extends Error {
  public constructor(runId: string, detail: string) {
    super(`stored outcome of run '${runId}' is unreadable: ${detail}`);
    this.name = 'RunStateCorruptError';
  }
}

export class SqliteRunStateStore implements RunStateStore {
  private readonly db: Database.Database;

  /** `path` is a file (its directory is created) or ':memory:'. */
  public constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = cachePreparedStatements(new Database(path));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS cancelled_runs (run_id TEXT PRIMARY KEY, cancelled_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS run_outcomes (run_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, saved_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS run_models (run_id TEXT PRIMARY KEY, models TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS build_queue (
        run_id TEXT PRIMARY KEY, request TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, seq INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS build_queue_due ON build_queue (next_attempt_at, seq);
    `);
  }

  public enqueueBuild(runId: string, request: Readonly<Record<string, unknown>>, at: number): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO build_queue (run_id, request, next_attempt_at, enqueued_at, seq)
         VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM build_queue))`,
      )
      .run(runId, JSON.stringify(request), at, at);
  }

  public dueBuilds(now: number, limit: number, exclude: ReadonlySet<string>): QueuedBuild[] {
    if (limit <= 0) return [];
    const rows = this.db
      .prepare(
        'SELECT run_id, request, attempts, next_attempt_at FROM build_queue WHERE next_attempt_at <= ? ORDER BY seq LIMIT ?',
      )
      .all(now, limit + exclude.size) as {
      run_id: string;
      request: string;
      attempts: number;
      next_attempt_at: number;
    }[];
    const due: QueuedBuild[] = [];
    for (const row of rows) {
      if (exclude.has(row.run_id) || due.length >= limit) continue;
      const request = jsonObject.safeParse(safeJson(row.request));
      if (!request.success) throw new RunStateCorruptError(row.run_id, 'the queued run request is not a JSON object');
      due.push({
        runId: row.run_id,
        request: request.data,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
      });
    }
    return due;
  }

  public deferBuild(runId: string, attempts: number, nextAttemptAt: number): void {
    this.db
      .prepare('UPDATE build_queue SET attempts = ?, next_attempt_at = ? WHERE run_id = ?')
      .run(attempts, nextAttemptAt, runId);
  }

  public dequeueBuild(runId: string): void {
    this.db.prepare('DELETE FROM build_queue WHERE run_id = ?').run(runId);
  }

  public queuedBuilds(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM build_queue').get() as { n: number }).n;
  }

  public isCancelled(runId: string): boolean {
    return this.db.prepare('SELECT 1 FROM cancelled_runs WHERE run_id = ?').get(runId) !== undefined;
  }

  public markCancelled(runId: string, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO cancelled_runs (run_id, cancelled_at) VALUES (?, ?)').run(runId, at);
  }

  public outcomeOf(runId: string): StoredOutcome | null {
    const row = this.db.prepare('SELECT outcome FROM run_outcomes WHERE run_id = ?').get(runId) as
      { outcome: string } | undefined;
    if (row === undefined) return null;
    let doc: unknown;
    try {
      doc = JSON.parse(row.outcome);
    } catch (err) {
      throw new RunStateCorruptError(runId, err instanceof Error ? err.message : String(err));
    }
    const parsed = outcomeSchema.safeParse(doc);
    if (!parsed.success) {
      throw new RunStateCorruptError(
        runId,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    return parsed.data;
  }

  public saveOutcome(runId: string, outcome: StoredOutcome): void {
    this.db
      .prepare('INSERT OR IGNORE INTO run_outcomes (run_id, outcome, saved_at) VALUES (?, ?, ?)')
      .run(runId, JSON.stringify(outcome), Date.now());
  }

  public recordModels(runId: string, models: readonly string[]): void {
    this.db
      .prepare('INSERT OR IGNORE INTO run_models (run_id, models) VALUES (?, ?)')
      .run(runId, JSON.stringify(models));
  }

  public modelsOf(runId: string): string[] {
    const row = this.db.prepare('SELECT models FROM run_models WHERE run_id = ?').get(runId) as
      { models: string } | undefined;
    if (row === undefined) return [];
    const parsed = z.array(z.string()).safeParse(safeJson(row.models));
    if (!parsed.success) throw new RunStateCorruptError(runId, 'stored candidate models are not a list of names');
    return parsed.data;
  }

  public ping(): boolean {
    try {
      return this.db.open && this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  public close(): void {
    if (this.db.open) this.db.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
