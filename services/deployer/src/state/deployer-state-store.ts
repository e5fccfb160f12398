// What the deployer remembers between events and across restarts: leases (the persistent FIFO queue included),
// the deployments they share, and runs that ended. Handlers only write intent here; the worker acts on it. SQLite in
// WAL mode, each change one statement or one transaction, so a kill at any line leaves the old or the new state.
// A lease keeps the trace context of its deploy request, and a deployment that of the lease that made it, so the
// worker's platform calls for them (after a restart too) join the run's trace.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { activeTraceparent } from '@flywheel/bus';
import { addColumnIfMissing, cachePreparedStatements } from '@flywheel/stores';
import { type DeploymentRoleV1, type ErrorInfoV1 } from '@flywheel/contracts';
import { z } from 'zod';
import {
  type DeploymentRow,
  type DeploymentStatus,
  type Lease,
  type LeaseState,
  type ReleaseReason,
} from '../leases/lease-model';

export interface LeaseRequest {
  readonly runId: string;
  readonly model: string;
  readonly role: DeploymentRoleV1;
  readonly gpus: number;
  readonly contextLength: number | null;
  readonly imageTag: string | null;
}

export type MarkReleaseResult = 'marked' | 'unknown' | 'already-released' | 'already-releasing';

const errorSchema = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });

export class DeployerStateCorruptError extends Error {
  public constructor(what: string, detail: string) {
    super(`deployer state of ${what} is unreadable: ${detail}`);
    this.name = 'DeployerStateCorruptError';
  }
}

interface LeaseRecord {
  run_id: string;
  model_name: string;
  role: string;
  gpus: number;
  context_length: number | null;
  image_tag: string | null;
  seq: number;
  state: string;
  deployment_id: string | null;
  reused: number;
  release_reason: string | null;
  error: string | null;
  trace_parent: string | null;
}

interface DeploymentRecord {
  model_name: string;
  deployment_id: string;
  gpus: number;
  owned: number | null;
  status: string;
  attempts: number;
  error: string | null;
  run_id: string | null;
  trace_parent: string | null;
}

const LEASE_STATES = ['queued', 'deploying', 'active', 'failed', 'released'] as const;
const DEPLOYMENT_STATUSES = ['probing', 'deploying', 'ready', 'failed', 'deleting'] as const;
const ROLES = ['candidate', 'judge', 'embedding', 'unknown'] as const;
const REASONS = ['completed', 'failed', 'cancelled', 'unknown'] as const;

export class DeployerStateStore {
  private readonly db: Database.Database;

  /** `path` is a file (its directory is created) or ':memory:'. */
  public constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = cachePreparedStatements(new Database(path));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS leases (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        role TEXT NOT NULL,
        gpus INTEGER NOT NULL,
        context_length INTEGER,
        image_tag TEXT,
        state TEXT NOT NULL,
        deployment_id TEXT,
        reused INTEGER NOT NULL DEFAULT 0,
        release_reason TEXT,
        error TEXT,
        requested_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        trace_parent TEXT,
        UNIQUE (run_id, model_name)
      );
      CREATE INDEX IF NOT EXISTS leases_by_state ON leases (state);
      CREATE TABLE IF NOT EXISTS deployments (
        model_name TEXT PRIMARY KEY,
        deployment_id TEXT NOT NULL,
        gpus INTEGER NOT NULL,
        owned INTEGER,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        updated_at INTEGER NOT NULL,
        run_id TEXT,
        trace_parent TEXT
      );
      CREATE TABLE IF NOT EXISTS ended_runs (run_id TEXT PRIMARY KEY, reason TEXT NOT NULL, ended_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS ended_candidates (
        run_id TEXT NOT NULL, model_name TEXT NOT NULL, reason TEXT NOT NULL, ended_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, model_name)
      );
    `);
    addColumnIfMissing(this.db, 'leases', 'trace_parent', 'TEXT');
    addColumnIfMissing(this.db, 'deployments', 'run_id', 'TEXT');
    addColumnIfMissing(this.db, 'deployments', 'trace_parent', 'TEXT');
  }

  /**
   * Records a deploy request as a queued lease; a repeat of (run, model) leaves the first one as it is. `traceparent`
   * defaults to the active span's (the handler's delivery).
   */
  public recordRequest(
    req: LeaseRequest,
    at: number,
    traceparent: string | undefined = activeTraceparent(),
  ): { recorded: true } | { recorded: false; existing: Lease } {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO leases (run_id, model_name, role, gpus, context_length, image_tag, state, requested_at,
           updated_at, trace_parent)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(req.runId, req.model, req.role, req.gpus, req.contextLength, req.imageTag, at, at, traceparent ?? null);
    if (info.changes > 0) return { recorded: true };
    const existing = this.lease(req.runId, req.model);
    if (existing === null) throw new DeployerStateCorruptError(`lease ${req.runId}/${req.model}`, 'vanished');
    return { recorded: false, existing };
  }

  public lease(runId: string, model: string): Lease | null {
    const row = this.db.prepare('SELECT * FROM leases WHERE run_id = ? AND model_name = ?').get(runId, model) as
      LeaseRecord | undefined;
    return row === undefined ? null : toLease(row);
  }

  public leasesOfRun(runId: string): Lease[] {
    const rows = this.db.prepare('SELECT * FROM leases WHERE run_id = ? ORDER BY seq').all(runId) as LeaseRecord[];
    return rows.map(toLease);
  }

  /** Every lease not yet released, FIFO order. */
  public liveLeases(): Lease[] {
    const rows = this.db.prepare("SELECT * FROM leases WHERE state != 'released' ORDER BY seq").all() as LeaseRecord[];
    return rows.map(toLease);
  }

  /**
   * Asks for the teardown of one lease. A candidate that finished before its deploy request arrived (topics are not
   * ordered among each other) is remembered, so the late request is not deployed.
   */
  public markRelease(runId: string, model: string, reason: ReleaseReason, at: number): MarkReleaseResult {
    this.db
      .prepare('INSERT OR IGNORE INTO ended_candidates (run_id, model_name, reason, ended_at) VALUES (?, ?, ?, ?)')
      .run(runId, model, reason, at);
    const lease = this.lease(runId, model);
    if (lease === null) return 'unknown';
    if (lease.state === 'released') return 'already-released';
    if (lease.releaseReason !== null) return 'already-releasing';
    this.db
      .prepare(
        'UPDATE leases SET release_reason = ?, updated_at = ? WHERE run_id = ? AND model_name = ? AND release_reason IS NULL',
      )
      .run(reason, at, runId, model);
    return 'marked';
  }

  /** The run is over: every lease of it is to be released, and later deploy requests of it are ignored. */
  public endRun(runId: string, reason: ReleaseReason, at: number): { marked: number; firstEnd: boolean } {
    return this.db.transaction(() => {
      const ended = this.db
        .prepare('INSERT OR IGNORE INTO ended_runs (run_id, reason, ended_at) VALUES (?, ?, ?)')
        .run(runId, reason, at);
      const marked = this.db
        .prepare(
          "UPDATE leases SET release_reason = ?, updated_at = ? WHERE run_id = ? AND state != 'released' AND release_reason IS NULL",
        )
        .run(reason, at, runId);
      return { marked: marked.changes, firstEnd: ended.changes > 0 };
    })();
  }

  /** Why a (run, model) needs no deployment any more: its run ended or the candidate finished; null if neither. */
  public endedBefore(runId: string, model: string): { what: 'run' | 'candidate'; reason: ReleaseReason } | null {
    const run = this.db.prepare('SELECT reason FROM ended_runs WHERE run_id = ?').get(runId) as
      { reason: string } | undefined;
    if (run !== undefined) return { what: 'run', reason: oneOf(REASONS, run.reason, `ended run ${runId}`) };
    const candidate = this.db
      .prepare('SELECT reason FROM ended_candidates WHERE run_id = ? AND model_name = ?')
      .get(runId, model) as { reason: string } | undefined;
    if (candidate === undefined) return null;
    return { what: 'candidate', reason: oneOf(REASONS, candidate.reason, `ended candidate ${runId}/${model}`) };
  }

  public updateLease(
    runId: string,
    model: string,
    patch: { state: LeaseState; deploymentId?: string | null; reused?: boolean; error?: ErrorInfoV1 | null },
    at: number,
  ): void {
    const current = this.lease(runId, model);
    if (current === null) return;
    this.db
      .prepare(
        'UPDATE leases SET state = ?, deployment_id = ?, reused = ?, error = ?, updated_at = ? WHERE run_id = ? AND model_name = ?',
      )
      .run(
        patch.state,
        patch.deploymentId === undefined ? current.deploymentId : patch.deploymentId,
        (patch.reused ?? current.reused) ? 1 : 0,
        errorText(patch.error === undefined ? current.error : patch.error),
        at,
        runId,
        model,
      );
  }

  public deployments(): DeploymentRow[] {
    const rows = this.db.prepare('SELECT * FROM deployments ORDER BY model_name').all() as DeploymentRecord[];
    return rows.map(toDeployment);
  }

  public deployment(model: string): DeploymentRow | null {
    const row = this.db.prepare('SELECT * FROM deployments WHERE model_name = ?').get(model) as
      DeploymentRecord | undefined;
    return row === undefined ? null : toDeployment(row);
  }

  /** Reserves a deployment for a model and grants the lease that asked for it, in one transaction. */
  public grantDeploy(lease: Lease, deploymentId: string, at: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO deployments (model_name, deployment_id, gpus, owned, status, attempts, error, updated_at, run_id,
             trace_parent)
           VALUES (?, ?, ?, NULL, 'probing', 0, NULL, ?, ?, ?)`,
        )
        .run(lease.model, deploymentId, lease.gpus, at, lease.runId, lease.traceparent);
      this.updateLease(lease.runId, lease.model, { state: 'deploying', deploymentId, reused: false }, at);
    })();
  }

  public updateDeployment(
    model: string,
    patch: { status?: DeploymentStatus; owned?: boolean; attempts?: number; error?: ErrorInfoV1 | null },
    at: number,
  ): void {
    const current = this.deployment(model);
    if (current === null) return;
    const owned = patch.owned === undefined ? current.owned : patch.owned;
    this.db
      .prepare(
        'UPDATE deployments SET status = ?, owned = ?, attempts = ?, error = ?, updated_at = ? WHERE model_name = ?',
      )
      .run(
        patch.status ?? current.status,
        owned === null ? null : owned ? 1 : 0,
        patch.attempts ?? current.attempts,
        errorText(patch.error === undefined ? current.error : patch.error),
        at,
        model,
      );
  }

  public removeDeployment(model: string): void {
    this.db.prepare('DELETE FROM deployments WHERE model_name = ?').run(model);
  }

  /** Marks a lease released and, when it was the last one, forgets its deployment, in one transaction. */
  public completeRelease(runId: string, model: string, dropDeployment: boolean, at: number): void {
    this.db.transaction(() => {
      this.updateLease(runId, model, { state: 'released' }, at);
      if (dropDeployment) this.removeDeployment(model);
    })();
  }

  /** Leases per state (metrics). */
  public leaseCounts(): Record<LeaseState, number> {
    const counts: Record<LeaseState, number> = { queued: 0, deploying: 0, active: 0, failed: 0, released: 0 };
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM leases GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    for (const r of rows) counts[oneOf(LEASE_STATES, r.state, 'lease counts')] = r.n;
    return counts;
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
}

function toLease(r: LeaseRecord): Lease {
  const what = `lease ${r.run_id}/${r.model_name}`;
  return {
    runId: r.run_id,
    model: r.model_name,
    role: oneOf(ROLES, r.role, what),
    gpus: r.gpus,
    contextLength: r.context_length,
    imageTag: r.image_tag,
    seq: r.seq,
    state: oneOf(LEASE_STATES, r.state, what),
    deploymentId: r.deployment_id,
    reused: r.reused === 1,
    releaseReason: r.release_reason === null ? null : oneOf(REASONS, r.release_reason, what),
    error: parseError(r.error, what),
    traceparent: r.trace_parent,
  };
}

function toDeployment(r: DeploymentRecord): DeploymentRow {
  const what = `deployment ${r.model_name}`;
  return {
    model: r.model_name,
    deploymentId: r.deployment_id,
    gpus: r.gpus,
    owned: r.owned === null ? null : r.owned === 1,
    status: oneOf(DEPLOYMENT_STATUSES, r.status, what),
    attempts: r.attempts,
    error: parseError(r.error, what),
    runId: r.run_id,
    traceparent: r.trace_parent,
  };
}

/** State files written before a column existed get it (NULL in old rows). */

function oneOf<T extends string>(values: readonly T[], value: string, what: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new DeployerStateCorruptError(what, `'${value}' is not one of ${values.join(', ')}`);
}

function errorText(error: ErrorInfoV1 | null): string | null {
  return error === null ? null : JSON.stringify(error);
}

function parseError(text: string | null, what: string): ErrorInfoV1 | null {
  if (text === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DeployerStateCorruptError(what, err instanceof Error ? err.message : String(err));
  }
  const parsed = errorSchema.safeParse(doc);
  if (!parsed.success) throw new DeployerStateCorruptError(what, 'stored error is not {code, message, retryable}');
  return parsed.data;
}
