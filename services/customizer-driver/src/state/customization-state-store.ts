// What the driver remembers, in one SQLite file (WAL: a kill at any line leaves the old or the new row, never half):
// per run what the request and the datasets said and whether it was stopped; per customization (run × model) where
// it is (see transitions.ts), the platform job id — written right after the job is created, so a restart re-attaches
// to the job instead of creating a second one — and what was last reported. Per run also the trace context of the
// event recorded last (the one that made its customizations ready), so the worker's platform calls for the run, after
// a restart too, join the run's trace.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { activeTraceparent } from '@flywheel/bus';
import { addColumnIfMissing, cachePreparedStatements } from '@flywheel/stores';
import { type LoraConfigV1, type TrainingConfigV1 } from '@flywheel/contracts';
import { type Hyperparameters } from '@flywheel/platform-clients';
import { z } from 'zod';
import { hyperparametersSchema } from '../customization/hyperparameters';
import {
  CUSTOMIZATION_STATUSES,
  canMove,
  isTerminalStatus,
  predecessorsOf,
  type CustomizationStatus,
} from './transitions';

export interface CustomizationKey {
  readonly runId: string;
  readonly modelName: string;
}

export interface TrainDataset {
  readonly name: string;
  readonly recordCount: number;
}

export interface RunState {
  readonly runId: string;
  readonly requested: boolean;
  readonly workloadId: string | null;
  readonly training: TrainingConfigV1 | null;
  readonly lora: LoraConfigV1 | null;
  readonly datasetsSeen: boolean;
  /** The training dataset of datasets.built; null when it had none (or it has not arrived: see datasetsSeen). */
  readonly train: TrainDataset | null;
  /** Why the run stopped (cancel, failure, deletion); the first reason stays. */
  readonly stoppedReason: string | null;
  readonly deleted: boolean;
  /** W3C traceparent of the delivery that recorded the run's request or datasets last; null outside any trace. */
  readonly traceparent: string | null;
}

export interface CustomizationState extends CustomizationKey {
  readonly status: CustomizationStatus;
  readonly jobId: string | null;
  readonly outputModel: string | null;
  readonly trainDataset: string | null;
  readonly hyperparameters: Hyperparameters | null;
  readonly jobCreatedAt: number | null;
  readonly startedPublished: boolean;
  /** Progress events published so far (the next one's sequence number). */
  readonly progressSeq: number;
  readonly lastPercent: number | null;
  readonly lastProgressAt: number | null;
  readonly cancelReason: string | null;
  /** Failed attempts at the current platform step (creation, cancel, model deletion). */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly modelDeleted: boolean;
}

export interface RequestRecord {
  readonly runId: string;
  readonly workloadId: string;
  readonly training: TrainingConfigV1 | null;
  readonly lora: LoraConfigV1 | null;
  /** Candidates with customization enabled, in request order. */
  readonly models: readonly string[];
}

export interface JobRecord {
  readonly jobId: string;
  readonly outputModel: string;
  readonly createdAt: number;
  readonly trainDataset: string;
  readonly hyperparameters: Hyperparameters;
}

export class StateCorruptError extends Error {
  public constructor(what: string, detail: string) {
    super(`customizer-driver state: ${what} is unreadable: ${detail}`);
    this.name = 'StateCorruptError';
  }
}

interface RunRow {
  run_id: string;
  request: string | null;
  train: string | null;
  datasets_seen: number;
  stopped_reason: string | null;
  deleted: number;
  trace_parent: string | null;
}

interface CustomizationRow {
  run_id: string;
  model_name: string;
  status: string;
  job_id: string | null;
  output_model: string | null;
  train_dataset: string | null;
  hyperparameters: string | null;
  job_created_at: number | null;
  started_published: number;
  progress_seq: number;
  last_percent: number | null;
  last_progress_at: number | null;
  cancel_reason: string | null;
  attempts: number;
  next_attempt_at: number;
  model_deleted: number;
}

const requestSchema = z.object({
  workload_id: z.string(),
  training: z
    .object({
      training_type: z.enum(['sft', 'unknown']).nullable(),
      finetuning_type: z.enum(['lora', 'unknown']).nullable(),
      epochs: z.number().nullable(),
      batch_size: z.number().nullable(),
      learning_rate: z.number().nullable(),
    })
    .nullable(),
  lora: z.object({ adapter_dim: z.number().nullable(), adapter_dropout: z.number().nullable() }).nullable(),
});
const trainSchema = z.object({ name: z.string().min(1), record_count: z.number() });
const statusSchema = z.enum(CUSTOMIZATION_STATUSES);

export class CustomizationStateStore {
  private readonly db: Database.Database;

  /** `path` is a file (its directory is created) or ':memory:'. */
  public constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = cachePreparedStatements(new Database(path));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        request TEXT,
        train TEXT,
        datasets_seen INTEGER NOT NULL DEFAULT 0,
        stopped_reason TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        trace_parent TEXT
      );
      CREATE TABLE IF NOT EXISTS finished_candidates (
        run_id TEXT NOT NULL, model_name TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (run_id, model_name)
      );
      CREATE TABLE IF NOT EXISTS customizations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        status TEXT NOT NULL,
        job_id TEXT,
        output_model TEXT,
        train_dataset TEXT,
        hyperparameters TEXT,
        job_created_at INTEGER,
        started_published INTEGER NOT NULL DEFAULT 0,
        progress_seq INTEGER NOT NULL DEFAULT 0,
        last_percent REAL,
        last_progress_at INTEGER,
        cancel_reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        model_deleted INTEGER NOT NULL DEFAULT 0,
        finished_at INTEGER,
        UNIQUE (run_id, model_name)
      );
      CREATE INDEX IF NOT EXISTS customizations_status ON customizations (status);
    `);
    addColumnIfMissing(this.db, 'runs', 'trace_parent', 'TEXT');
  }

  // --- what the handlers record ------------------------------------------------------------------------------

  /**
   * Records a run request and a `waiting` customization per model; false when it was already recorded. `traceparent`
   * defaults to the active span's (the handler's delivery).
   */
  public recordRequest(r: RequestRecord, traceparent: string | undefined = activeTraceparent()): boolean {
    return this.db.transaction(() => {
      const doc = JSON.stringify({ workload_id: r.workloadId, training: r.training, lora: r.lora });
      this.db.prepare('INSERT OR IGNORE INTO runs (run_id) VALUES (?)').run(r.runId);
      const changed = this.db
        .prepare('UPDATE runs SET request = ? WHERE run_id = ? AND request IS NULL')
        .run(doc, r.runId);
      if (changed.changes === 0) return false;
      this.setTraceparent(r.runId, traceparent);
      const run = this.runRow(r.runId);
      for (const model of r.models) {
        // A cancel (or a finished candidate) seen before the request: the customization is born cancelled.
        const cancel = run?.stopped_reason ?? this.finishedReason(r.runId, model);
        this.db
          .prepare(
            'INSERT OR IGNORE INTO customizations (run_id, model_name, status, cancel_reason) VALUES (?, ?, ?, ?)',
          )
          .run(r.runId, model, cancel === null ? 'waiting' : 'cancelling', cancel);
      }
      return true;
    })();
  }

  /** Records the run's datasets (train may be null); false when they were already recorded. */
  public recordDatasets(
    runId: string,
    train: TrainDataset | null,
    traceparent: string | undefined = activeTraceparent(),
  ): boolean {
    return this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO runs (run_id) VALUES (?)').run(runId);
      const doc = train === null ? null : JSON.stringify({ name: train.name, record_count: train.recordCount });
      const changed = this.db
        .prepare('UPDATE runs SET train = ?, datasets_seen = 1 WHERE run_id = ? AND datasets_seen = 0')
        .run(doc, runId);
      if (changed.changes === 0) return false;
      this.setTraceparent(runId, traceparent);
      return true;
    })();
  }

  /**
   * The run stopped (cancel requested, cancelled, failed, deleted): every customization not yet over is to be
   * cancelled. Returns how many were moved to `cancelling`.
   */
  public stopRun(runId: string, reason: string, opts: { deleted?: boolean } = {}): number {
    return this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO runs (run_id) VALUES (?)').run(runId);
      this.db
        .prepare(
          'UPDATE runs SET stopped_reason = COALESCE(stopped_reason, ?), deleted = MAX(deleted, ?) WHERE run_id = ?',
        )
        .run(reason, opts.deleted === true ? 1 : 0, runId);
      return this.cancelWhere('run_id = ?', [runId], reason);
    })();
  }

  /** A candidate finished: its customization, if not over, is to be cancelled (its result would go unused). */
  public finishCandidate(runId: string, modelName: string, reason: string): boolean {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO finished_candidates (run_id, model_name, reason) VALUES (?, ?, ?)')
        .run(runId, modelName, reason);
      return this.cancelWhere('run_id = ? AND model_name = ?', [runId, modelName], reason) > 0;
    })();
  }

  // --- what the worker reads ---------------------------------------------------------------------------------

  public run(runId: string): RunState | null {
    const row = this.runRow(runId);
    return row === undefined ? null : toRunState(row);
  }

  public get(key: CustomizationKey): CustomizationState | null {
    const row = this.db
      .prepare('SELECT * FROM customizations WHERE run_id = ? AND model_name = ?')
      .get(key.runId, key.modelName) as CustomizationRow | undefined;
    return row === undefined ? null : toState(row);
  }

  public inStatus(status: CustomizationStatus): CustomizationState[] {
    const rows = this.db
      .prepare('SELECT * FROM customizations WHERE status = ? ORDER BY seq')
      .all(status) as CustomizationRow[];
    return rows.map(toState);
  }

  /** Waiting customizations whose run has both its request and its datasets and whose next attempt is due. */
  public ready(now: number): CustomizationState[] {
    const rows = this.db
      .prepare(
        `SELECT c.* FROM customizations c JOIN runs r ON r.run_id = c.run_id
         WHERE c.status = 'waiting' AND r.request IS NOT NULL AND r.datasets_seen = 1 AND c.next_attempt_at <= ?
         ORDER BY c.seq`,
      )
      .all(now) as CustomizationRow[];
    return rows.map(toState);
  }

  /** Customized models of deleted runs that are still to be removed from the platform (jobs over, due now). */
  public modelsToDelete(now: number): CustomizationState[] {
    const rows = this.db
      .prepare(
        `SELECT c.* FROM customizations c JOIN runs r ON r.run_id = c.run_id
         WHERE r.deleted = 1 AND c.output_model IS NOT NULL AND c.model_deleted = 0
           AND c.status IN ('completed', 'failed', 'cancelled') AND c.next_attempt_at <= ?
         ORDER BY c.seq`,
      )
      .all(now) as CustomizationRow[];
    return rows.map(toState);
  }

  // --- what the worker records -------------------------------------------------------------------------------

  /** Moves a row along the lifecycle; false when it is not in a state that may move there (it moved on). */
  public move(key: CustomizationKey, to: CustomizationStatus, at: number): boolean {
    const from = predecessorsOf(to);
    const placeholders = from.map(() => '?').join(', ');
    const finished = isTerminalStatus(to) ? at : null;
    const res = this.db
      .prepare(
        `UPDATE customizations SET status = ?, finished_at = COALESCE(?, finished_at)
         WHERE run_id = ? AND model_name = ? AND status IN (${placeholders})`,
      )
      .run(to, finished, key.runId, key.modelName, ...from);
    return res.changes > 0;
  }

  /**
   * The job exists: its id is written before anything else happens, and the row moves on to `running` (unless a
   * cancel arrived meanwhile: it stays `cancelling`, now with a job id to cancel).
   */
  public recordJob(key: CustomizationKey, job: JobRecord): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE customizations SET job_id = ?, output_model = ?, job_created_at = ?, train_dataset = ?,
             hyperparameters = ?, attempts = 0, next_attempt_at = 0
           WHERE run_id = ? AND model_name = ? AND job_id IS NULL`,
        )
        .run(
          job.jobId,
          job.outputModel,
          job.createdAt,
          job.trainDataset,
          JSON.stringify(job.hyperparameters),
          key.runId,
          key.modelName,
        );
      this.move(key, 'running', job.createdAt);
    })();
  }

  /** A platform call failed transiently: try again at `nextAt` (a creation goes back to `waiting`). */
  public retryLater(key: CustomizationKey, attempts: number, nextAt: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE customizations SET attempts = ?, next_attempt_at = ? WHERE run_id = ? AND model_name = ?')
        .run(attempts, nextAt, key.runId, key.modelName);
      this.move(key, 'waiting', nextAt);
    })();
  }

  public markStartedPublished(key: CustomizationKey): void {
    this.db
      .prepare('UPDATE customizations SET started_published = 1 WHERE run_id = ? AND model_name = ?')
      .run(key.runId, key.modelName);
  }

  /** Progress event `seq` was published; the next one gets `seq + 1`. */
  public saveProgress(key: CustomizationKey, seq: number, percent: number, at: number): void {
    this.db
      .prepare(
        `UPDATE customizations SET progress_seq = MAX(progress_seq, ?), last_percent = ?, last_progress_at = ?
         WHERE run_id = ? AND model_name = ?`,
      )
      .run(seq + 1, percent, at, key.runId, key.modelName);
  }

  public markModelDeleted(key: CustomizationKey): void {
    this.db
      .prepare(
        'UPDATE customizations SET model_deleted = 1, attempts = 0, next_attempt_at = 0 WHERE run_id = ? AND model_name = ?',
      )
      .run(key.runId, key.modelName);
  }

  /** A failed attempt at a platform step that keeps the row where it is (cancel, model deletion). */
  public noteAttempt(key: CustomizationKey, attempts: number, nextAt: number): void {
    this.db
      .prepare('UPDATE customizations SET attempts = ?, next_attempt_at = ? WHERE run_id = ? AND model_name = ?')
      .run(attempts, nextAt, key.runId, key.modelName);
  }

  /**
   * At boot: creations a previous process began and never finished go back to `waiting`. Creating the job again is
   * safe: output model names are unique per run, so a job the earlier attempt did create makes the Customizer
   * answer 409 instead of training twice.
   */
  public resetInterruptedCreations(): number {
    return this.db.prepare("UPDATE customizations SET status = 'waiting' WHERE status = 'creating'").run().changes;
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

  private cancelWhere(where: string, params: readonly string[], reason: string): number {
    const open = CUSTOMIZATION_STATUSES.filter((s) => canMove(s, 'cancelling'));
    const placeholders = open.map(() => '?').join(', ');
    return this.db
      .prepare(
        `UPDATE customizations SET status = 'cancelling', cancel_reason = ?, attempts = 0, next_attempt_at = 0
         WHERE ${where} AND status IN (${placeholders})`,
      )
      .run(reason, ...params, ...open).changes;
  }

  private setTraceparent(runId: string, traceparent: string | undefined): void {
    if (traceparent === undefined) return;
    this.db.prepare('UPDATE runs SET trace_parent = ? WHERE run_id = ?').run(traceparent, runId);
  }

  private runRow(runId: string): RunRow | undefined {
    return this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
  }

  private finishedReason(runId: string, model: string): string | null {
    const row = this.db
      .prepare('SELECT reason FROM finished_candidates WHERE run_id = ? AND model_name = ?')
      .get(runId, model) as { reason: string } | undefined;
    return row?.reason ?? null;
  }
}

/** State files written before a column existed get it (NULL in old rows). */

function parseJson<T>(what: string, text: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateCorruptError(what, err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    throw new StateCorruptError(what, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

function toRunState(row: RunRow): RunState {
  const request = row.request === null ? null : parseJson(`request of run ${row.run_id}`, row.request, requestSchema);
  const train = row.train === null ? null : parseJson(`datasets of run ${row.run_id}`, row.train, trainSchema);
  return {
    runId: row.run_id,
    requested: request !== null,
    workloadId: request?.workload_id ?? null,
    training: request?.training ?? null,
    lora: request?.lora ?? null,
    datasetsSeen: row.datasets_seen === 1,
    train: train === null ? null : { name: train.name, recordCount: train.record_count },
    stoppedReason: row.stopped_reason,
    deleted: row.deleted === 1,
    traceparent: row.trace_parent,
  };
}

function toState(row: CustomizationRow): CustomizationState {
  const what = `customization ${row.run_id}/${row.model_name}`;
  const status = statusSchema.safeParse(row.status);
  if (!status.success) throw new StateCorruptError(what, `unknown status ${row.status}`);
  return {
    runId: row.run_id,
    modelName: row.model_name,
    status: status.data,
    jobId: row.job_id,
    outputModel: row.output_model,
    trainDataset: row.train_dataset,
    hyperparameters: row.hyperparameters === null ? null : parseJson(what, row.hyperparameters, hyperparametersSchema),
    jobCreatedAt: row.job_created_at,
    startedPublished: row.started_published === 1,
    progressSeq: row.progress_seq,
    lastPercent: row.last_percent,
    lastProgressAt: row.last_progress_at,
    cancelReason: row.cancel_reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    modelDeleted: row.model_deleted === 1,
  };
}
