// What the driver remembers, in one SQLite file: the facts seen per run and per (run, model), and one row per
// evaluation with its platform job id and where it stands. Handlers write facts and the evaluations those facts make
// ready in one transaction and return; the worker reads the rows to start, poll and cancel jobs. WAL mode: a kill at
// any line leaves the old or the new row, never half of one. Each evaluation keeps the trace context of the delivery
// that made it ready, so the worker's platform calls for it (after a restart too) join the run's trace.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { activeTraceparent } from '@flywheel/bus';
import { addColumnIfMissing, cachePreparedStatements } from '@flywheel/stores';
import { WorkloadTypeV1Symbols, type ErrorInfoV1, type WorkloadTypeV1 } from '@flywheel/contracts';
import { z } from 'zod';
import {
  readyEvaluations,
  type CandidateFacts,
  type EvalType,
  type RunFacts,
  type StopReason,
} from '../evaluation/evaluation-plan';

/**
 * pending: ready, no job yet (or waiting to re-create one) · creating: createJob in flight · running: job id stored ·
 * completed / failed / cancelled: the terminal event was published.
 */
export type EvaluationStatus = 'pending' | 'creating' | 'running' | 'completed' | 'failed' | 'cancelled';
const TERMINAL = `('completed', 'failed', 'cancelled')`;
/** Marked for cancellation and not terminal yet (the WHERE of `toCancel` and of its partial index). */
const TO_CANCEL = `cancel_requested = 1 AND status NOT IN ${TERMINAL}`;
/** Terminal, of a deleted run, its job still on the platform (the WHERE of `jobsToDelete` and of its index). */
const JOBS_TO_DELETE = `delete_requested = 1 AND job_deleted = 0 AND job_id IS NOT NULL AND status IN ${TERMINAL}`;

export interface EvaluationKey {
  readonly runId: string;
  readonly modelName: string;
  readonly evalType: EvalType;
}

/** An evaluation's key and the trace it belongs to: enough to start driving it. */
export interface EvaluationRef extends EvaluationKey {
  readonly traceparent: string | null;
}

export interface EvaluationRow extends EvaluationKey {
  readonly targetModel: string;
  readonly datasetName: string;
  readonly workloadType: WorkloadTypeV1;
  readonly status: EvaluationStatus;
  readonly jobId: string | null;
  /** When the current job was created (duration_ms counts from here). */
  readonly jobCreatedAt: number | null;
  /** Jobs created (or attempted) for this evaluation so far. */
  readonly jobAttempts: number;
  /** A pending evaluation waits until then before its next createJob. */
  readonly nextAttemptAt: number;
  /** evaluation.started was published for the current job. */
  readonly startedPublished: boolean;
  readonly cancelRequested: boolean;
  /** run.deleted: the job is deleted on the platform once the evaluation is terminal. */
  readonly deleteRequested: boolean;
  readonly jobDeleted: boolean;
  readonly error: ErrorInfoV1 | null;
  /** W3C traceparent of the delivery that made the evaluation ready; null when it came outside any trace. */
  readonly traceparent: string | null;
}

export interface DatasetsFacts {
  readonly evalDataset: string;
  readonly workloadType: WorkloadTypeV1;
  readonly iclByModel: Readonly<Record<string, string>>;
}

export class StateCorruptError extends Error {
  public constructor(what: string, detail: string) {
    super(`evaluator state: ${what} is unreadable: ${detail}`);
    this.name = 'StateCorruptError';
  }
}

const rowSchema = z.object({
  run_id: z.string(),
  model_name: z.string(),
  eval_type: z.enum(['base', 'icl', 'customized']),
  target_model: z.string(),
  dataset_name: z.string(),
  workload_type: z.enum(WorkloadTypeV1Symbols),
  status: z.enum(['pending', 'creating', 'running', 'completed', 'failed', 'cancelled']),
  job_id: z.string().nullable(),
  job_created_at: z.number().nullable(),
  job_attempts: z.number().int(),
  next_attempt_at: z.number(),
  started_published: z.number(),
  cancel_requested: z.number(),
  delete_requested: z.number(),
  job_deleted: z.number(),
  error: z.string().nullable(),
  trace_parent: z.string().nullable(),
});
const errorSchema = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });
const iclSchema = z.record(z.string());

const refSchema = rowSchema.pick({ run_id: true, model_name: true, eval_type: true, trace_parent: true });

export class EvaluationStateStore {
  private readonly db: Database.Database;

  /** `path` is a file (its directory is created) or ':memory:'. */
  public constructor(
    path: string,
    private readonly clock: () => number = Date.now,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = cachePreparedStatements(new Database(path));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, eval_dataset TEXT, workload_type TEXT, icl_by_model TEXT NOT NULL DEFAULT '{}',
        stopped TEXT, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS candidates (
        run_id TEXT NOT NULL, model_name TEXT NOT NULL, deployed INTEGER NOT NULL DEFAULT 0,
        customized_model TEXT, finished INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, model_name));
      CREATE TABLE IF NOT EXISTS evaluations (
        run_id TEXT NOT NULL, model_name TEXT NOT NULL, eval_type TEXT NOT NULL,
        target_model TEXT NOT NULL, dataset_name TEXT NOT NULL, workload_type TEXT NOT NULL,
        status TEXT NOT NULL, job_id TEXT, job_created_at INTEGER, job_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0, started_published INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0, delete_requested INTEGER NOT NULL DEFAULT 0,
        job_deleted INTEGER NOT NULL DEFAULT 0, error TEXT, planned_at INTEGER NOT NULL, trace_parent TEXT,
        PRIMARY KEY (run_id, model_name, eval_type));
      CREATE INDEX IF NOT EXISTS evaluations_by_status ON evaluations (status, planned_at);
    `);
    addColumnIfMissing(this.db, 'evaluations', 'trace_parent', 'TEXT');
    // The worker asks for these on every pass; they are nearly always empty, and without an index each asking scanned
    // every evaluation ever recorded. Partial indexes hold only the matching rows (the WHERE clauses are the queries').
    this.db.exec(`
      CREATE INDEX IF NOT EXISTS evaluations_to_cancel ON evaluations (planned_at) WHERE ${TO_CANCEL};
      CREATE INDEX IF NOT EXISTS evaluations_jobs_to_delete ON evaluations (planned_at) WHERE ${JOBS_TO_DELETE};
    `);
  }

  // ---- facts (handlers); each returns how many evaluations became ready ----
  // `traceparent` (default: the active span's, i.e. the handler's delivery) is stored with the evaluations it readies.

  public recordDatasets(
    runId: string,
    facts: DatasetsFacts,
    traceparent: string | undefined = activeTraceparent(),
  ): number {
    return this.tx(() => {
      this.ensureRun(runId);
      this.db
        .prepare(
          'UPDATE runs SET eval_dataset = ?, workload_type = ?, icl_by_model = ?, updated_at = ? WHERE run_id = ?',
        )
        .run(facts.evalDataset, facts.workloadType, JSON.stringify(facts.iclByModel), this.clock(), runId);
      return this.planRun(runId, traceparent);
    });
  }

  public recordDeployed(runId: string, model: string, traceparent: string | undefined = activeTraceparent()): number {
    return this.tx(() => {
      this.ensureCandidate(runId, model);
      this.db
        .prepare('UPDATE candidates SET deployed = 1, updated_at = ? WHERE run_id = ? AND model_name = ?')
        .run(this.clock(), runId, model);
      return this.plan(runId, model, traceparent);
    });
  }

  public recordCustomized(
    runId: string,
    model: string,
    customizedModel: string,
    traceparent: string | undefined = activeTraceparent(),
  ): number {
    return this.tx(() => {
      this.ensureCandidate(runId, model);
      this.db
        .prepare('UPDATE candidates SET customized_model = ?, updated_at = ? WHERE run_id = ? AND model_name = ?')
        .run(customizedModel, this.clock(), runId, model);
      return this.plan(runId, model, traceparent);
    });
  }

  /** Nothing more starts for the run; open evaluations are marked for cancellation. The first reason stays. */
  public stopRun(runId: string, reason: StopReason): number {
    return this.tx(() => {
      this.ensureRun(runId);
      this.db
        .prepare(
          `UPDATE runs SET stopped = CASE WHEN ? = 'deleted' THEN 'deleted' ELSE COALESCE(stopped, ?) END,
           updated_at = ? WHERE run_id = ?`,
        )
        .run(reason, reason, this.clock(), runId);
      if (reason === 'deleted') {
        this.db.prepare('UPDATE evaluations SET delete_requested = 1 WHERE run_id = ?').run(runId);
      }
      return this.db
        .prepare(`UPDATE evaluations SET cancel_requested = 1 WHERE run_id = ? AND status NOT IN ${TERMINAL}`)
        .run(runId).changes;
    });
  }

  /** candidate.finished: nothing more starts for the model; its open evaluations are marked for cancellation. */
  public finishCandidate(runId: string, model: string): number {
    return this.tx(() => {
      this.ensureCandidate(runId, model);
      this.db
        .prepare('UPDATE candidates SET finished = 1, updated_at = ? WHERE run_id = ? AND model_name = ?')
        .run(this.clock(), runId, model);
      return this.db
        .prepare(
          `UPDATE evaluations SET cancel_requested = 1
           WHERE run_id = ? AND model_name = ? AND status NOT IN ${TERMINAL}`,
        )
        .run(runId, model).changes;
    });
  }

  public runFacts(runId: string): RunFacts | null {
    const row = this.db
      .prepare('SELECT eval_dataset, workload_type, icl_by_model, stopped FROM runs WHERE run_id = ?')
      .get(runId) as
      | { eval_dataset: string | null; workload_type: string | null; icl_by_model: string; stopped: string | null }
      | undefined;
    if (row === undefined) return null;
    const icl = iclSchema.safeParse(safeJson(row.icl_by_model));
    if (!icl.success) throw new StateCorruptError(`icl_by_model of run '${runId}'`, icl.error.message);
    const workload = z.enum(WorkloadTypeV1Symbols).nullable().safeParse(row.workload_type);
    const stopped = z.enum(['cancelled', 'failed', 'deleted']).nullable().safeParse(row.stopped);
    if (!workload.success || !stopped.success) throw new StateCorruptError(`run '${runId}'`, 'bad workload or stop');
    return { evalDataset: row.eval_dataset, workloadType: workload.data, iclByModel: icl.data, stopped: stopped.data };
  }

  public candidateFacts(runId: string, model: string): CandidateFacts | null {
    const row = this.db
      .prepare('SELECT deployed, customized_model, finished FROM candidates WHERE run_id = ? AND model_name = ?')
      .get(runId, model) as { deployed: number; customized_model: string | null; finished: number } | undefined;
    if (row === undefined) return null;
    return { deployed: row.deployed === 1, customizedModel: row.customized_model, finished: row.finished === 1 };
  }

  // ---- evaluations (worker) ----

  public get(key: EvaluationKey): EvaluationRow | null {
    const row = this.db
      .prepare('SELECT * FROM evaluations WHERE run_id = ? AND model_name = ? AND eval_type = ?')
      .get(key.runId, key.modelName, key.evalType);
    return row === undefined ? null : toRow(row);
  }

  public evaluationsOf(runId: string): EvaluationRow[] {
    return this.rows('SELECT * FROM evaluations WHERE run_id = ? ORDER BY planned_at, model_name, eval_type', runId);
  }

  /** Ready to create a job now, oldest first. */
  public startable(now: number, limit: number): EvaluationRow[] {
    if (limit <= 0) return [];
    return this.rows(
      `SELECT * FROM evaluations WHERE status = 'pending' AND cancel_requested = 0 AND next_attempt_at <= ?
       ORDER BY planned_at, run_id, model_name, eval_type LIMIT ?`,
      now,
      limit,
    );
  }

  /** Evaluations with a job (or a job being created): what a restarted worker resumes. */
  public open(): EvaluationRow[] {
    return this.rows(`SELECT * FROM evaluations WHERE status IN ('creating', 'running') ORDER BY planned_at`);
  }

  /**
   * The keys (and trace parents) of `open()`: what the worker's every pass reads to find evaluations it is not driving
   * yet. Most are, so reading and validating whole rows each pass was wasted work (a fifth of the driver's CPU at
   * 180 evaluations in flight); the task reads its full row itself.
   */
  public openRefs(): EvaluationRef[] {
    const raw = this.db
      .prepare(
        `SELECT run_id, model_name, eval_type, trace_parent FROM evaluations WHERE status IN ('creating', 'running')
         ORDER BY planned_at`,
      )
      .all();
    return raw.map((r) => {
      const parsed = refSchema.safeParse(r);
      if (!parsed.success) throw new StateCorruptError('an evaluation key', parsed.error.message);
      const { run_id, model_name, eval_type, trace_parent } = parsed.data;
      return { runId: run_id, modelName: model_name, evalType: eval_type, traceparent: trace_parent };
    });
  }

  /** Marked for cancellation and not terminal yet. */
  public toCancel(): EvaluationRow[] {
    return this.rows(
      `SELECT * FROM evaluations INDEXED BY evaluations_to_cancel WHERE ${TO_CANCEL} ORDER BY planned_at`,
    );
  }

  /** Terminal evaluations of deleted runs whose job still exists on the platform. */
  public jobsToDelete(): EvaluationRow[] {
    // INDEXED BY: without statistics the planner prefers the status index, i.e. every terminal row of the history.
    return this.rows(
      `SELECT * FROM evaluations INDEXED BY evaluations_jobs_to_delete WHERE ${JOBS_TO_DELETE} ORDER BY planned_at`,
    );
  }

  /** After a restart: a createJob that was in flight when the process died is attempted again. */
  public resetCreating(): number {
    return this.db.prepare(`UPDATE evaluations SET status = 'pending' WHERE status = 'creating'`).run().changes;
  }

  public markCreating(key: EvaluationKey): void {
    this.update(key, `status = 'creating', job_attempts = job_attempts + 1`);
  }

  /** Persisted right after createJob answered, before anything is published. */
  public recordJob(key: EvaluationKey, jobId: string, createdAt: number): void {
    this.update(key, `status = 'running', job_id = ?, job_created_at = ?, started_published = 0`, jobId, createdAt);
  }

  /** Back to pending (the job could not be created, or is lost), to be created again from `at`. */
  public retryAt(key: EvaluationKey, at: number): void {
    this.update(key, `status = 'pending', job_id = NULL, job_created_at = NULL, next_attempt_at = ?`, at);
  }

  public markStartedPublished(key: EvaluationKey): void {
    this.update(key, 'started_published = 1');
  }

  /** After the terminal event was published. */
  public finish(key: EvaluationKey, status: 'completed' | 'failed' | 'cancelled', error: ErrorInfoV1 | null): void {
    this.update(key, 'status = ?, error = ?', status, error === null ? null : JSON.stringify(error));
  }

  public markJobDeleted(key: EvaluationKey): void {
    this.update(key, 'job_deleted = 1');
  }

  /** Whether the database answers (readiness). */
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

  // ---- internals ----

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private ensureRun(runId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO runs (run_id, updated_at) VALUES (?, ?)').run(runId, this.clock());
  }

  private ensureCandidate(runId: string, model: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO candidates (run_id, model_name, updated_at) VALUES (?, ?, ?)')
      .run(runId, model, this.clock());
  }

  private planRun(runId: string, traceparent: string | undefined): number {
    const models = this.db.prepare('SELECT model_name FROM candidates WHERE run_id = ?').all(runId) as {
      model_name: string;
    }[];
    return models.reduce((n, m) => n + this.plan(runId, m.model_name, traceparent), 0);
  }

  /** Inserts the ready evaluations of (run, model) that have no row yet; existing rows are never touched. */
  private plan(runId: string, model: string, traceparent: string | undefined): number {
    const ready = readyEvaluations(model, this.runFacts(runId), this.candidateFacts(runId, model));
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO evaluations (run_id, model_name, eval_type, target_model, dataset_name, workload_type,
       status, planned_at, trace_parent) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    let added = 0;
    for (const e of ready) {
      added += insert.run(
        runId,
        model,
        e.evalType,
        e.targetModel,
        e.datasetName,
        e.workloadType,
        this.clock(),
        traceparent ?? null,
      ).changes;
    }
    return added;
  }

  private update(key: EvaluationKey, set: string, ...values: (string | number | null)[]): void {
    this.db
      .prepare(`UPDATE evaluations SET ${set} WHERE run_id = ? AND model_name = ? AND eval_type = ?`)
      .run(...values, key.runId, key.modelName, key.evalType);
  }

  private rows(sql: string, ...params: (string | number)[]): EvaluationRow[] {
    return this.db
      .prepare(sql)
      .all(...params)
      .map(toRow);
  }
}

function toRow(raw: unknown): EvaluationRow {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateCorruptError('an evaluation row', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
  }
  const r = parsed.data;
  let error: ErrorInfoV1 | null = null;
  if (r.error !== null) {
    const e = errorSchema.safeParse(safeJson(r.error));
    if (!e.success) throw new StateCorruptError(`error of ${r.run_id}/${r.model_name}/${r.eval_type}`, e.error.message);
    error = e.data;
  }
  return {
    runId: r.run_id,
    modelName: r.model_name,
    evalType: r.eval_type,
    targetModel: r.target_model,
    datasetName: r.dataset_name,
    workloadType: r.workload_type,
    status: r.status,
    jobId: r.job_id,
    jobCreatedAt: r.job_created_at,
    jobAttempts: r.job_attempts,
    nextAttemptAt: r.next_attempt_at,
    startedPublished: r.started_published === 1,
    cancelRequested: r.cancel_requested === 1,
    deleteRequested: r.delete_requested === 1,
    jobDeleted: r.job_deleted === 1,
    error,
    traceparent: r.trace_parent,
  };
}

/** State files written before a column existed get it (NULL in old rows). */

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function keyOf(row: EvaluationKey): EvaluationKey {
  return { runId: row.runId, modelName: row.modelName, evalType: row.evalType };
}

/** `run/model/type`, for logs and maps. */
export function keyText(key: EvaluationKey): string {
  return `${key.runId}/${key.modelName}/${key.evalType}`;
}
