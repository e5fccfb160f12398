// The long work, outside the Kafka handlers: creates platform evaluation jobs for the ready evaluations (at most
// `maxConcurrentJobs` open at once), polls them, publishes started / progress / completed / failed, and cancels or
// deletes jobs the handlers marked. Everything it needs is in the state file, so a restarted worker resumes: a
// `running` row is polled again by its stored job id, and a job the platform no longer knows (the local engine keeps
// jobs in memory) is created again — the old one is gone, so there are never two live jobs for one evaluation.
// Each evaluation's task runs inside its run's trace, under the delivery that made it ready (stored with the row), so
// its platform calls and events join the run's trace after a restart too; the tick runs outside any trace.
import { type EventPublisher, withRunTrace, withoutTrace } from '@flywheel/bus';
import { type catalogue, type ErrorInfoV1, Topics } from '@flywheel/contracts';
import {
  PlatformAbortedError,
  PlatformJobError,
  PlatformNotFoundError,
  type EvaluationClient,
  type EvaluationJob,
  type EvaluationResults,
  type EvaluationSpec,
} from '@flywheel/platform-clients';
import { type PlatformWait } from '@flywheel/service-kit';
import { type WorkerSettings } from '../config/evaluator-config';
import {
  type EvaluationStateStore,
  keyOf,
  keyText,
  type EvaluationKey,
  type EvaluationRef,
  type EvaluationRow,
} from '../state/evaluation-state-store';
import {
  completedEvent,
  describeEvaluation,
  failedEvent,
  figuresOf,
  progressEvent,
  startedEvent,
} from './evaluation-events';
import { evaluationKindOf, type EvalType } from './evaluation-plan';
import { codeOfJobError, errorInfo, isTransient } from './platform-failures';

export type FlywheelCatalogue = typeof catalogue;

export interface WorkerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Metrics hooks (the service's Prometheus metrics implement it). */
export interface WorkerObserver {
  started(evalType: EvalType): void;
  finished(evalType: EvalType, outcome: 'completed' | 'failed' | 'cancelled', durationMs: number | null): void;
  activeJobs(count: number): void;
}

export interface WorkerDeps {
  readonly state: EvaluationStateStore;
  readonly evaluation: EvaluationClient;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  /** Platform namespace of the datasets. */
  readonly namespace: string;
  readonly wait: PlatformWait;
  readonly settings: WorkerSettings;
  readonly clock?: () => number;
  readonly logger?: WorkerLogger;
  readonly observer?: WorkerObserver;
}

interface Task {
  /** Aborted when the evaluation is to be cancelled (its wait stops; the task then cancels the job). */
  readonly cancel: AbortController;
  readonly done: Promise<void>;
}

const SILENT: WorkerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export class EvaluationWorker {
  private readonly tasks = new Map<string, Task>();
  /** A task that threw (e.g. the broker is down) is not respawned before this time. */
  private readonly backoffUntil = new Map<string, { at: number; failures: number; key: EvaluationKey }>();
  private readonly shutdown = new AbortController();
  private readonly clock: () => number;
  private readonly logger: WorkerLogger;
  private timer: NodeJS.Timeout | undefined;
  /** A pass asked for and not begun yet: the wakes until then share it. */
  private scheduled: NodeJS.Immediate | undefined;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  /**
   * Whether the next pass reads every open evaluation to resume the ones no task drives. Only a task makes an
   * evaluation open (creating, running), and one that returns normally leaves it pending or terminal; so an open row
   * without a task exists only after a restart or a task that threw. Reading them all on every wake was most of a
   * pass's cost with 180 evaluations in flight (a wake per event and per finished task), so it is done at start, while
   * a failed task waits to be respawned, and on each timer pass.
   */
  private rescan = true;
  private running = false;

  public constructor(private readonly deps: WorkerDeps) {
    this.clock = deps.clock ?? Date.now;
    this.logger = deps.logger ?? SILENT;
  }

  /** Resumes from the state file and starts the periodic tick. */
  public start(): void {
    if (this.running) return;
    this.running = true;
    const reset = this.deps.state.resetCreating();
    if (reset > 0) {
      this.logger.warn(`${reset} job creation(s) interrupted by a restart: creating them again`);
    }
    this.timer = setInterval(() => {
      this.rescan = true;
      this.wake();
    }, this.deps.settings.tickIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Look for work soon (handlers call it after recording something, tasks when they end). The pass runs once the
   * current I/O callbacks are done (setImmediate), so a batch of events or of finished tasks shares one pass, and a
   * handler does not run the pass inside its delivery.
   */
  public wake(): void {
    if (!this.running) return;
    if (this.ticking !== null) {
      this.tickAgain = true;
      return;
    }
    if (this.scheduled !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.runTick();
    });
  }

  private runTick(): void {
    if (!this.running || this.ticking !== null) return;
    // A wake from a handler must not lend that handler's span to the whole tick.
    this.ticking = withoutTrace(() =>
      this.tick()
        .catch((err: unknown) => this.logger.error(`worker tick failed: ${message(err)}`))
        .finally(() => {
          this.ticking = null;
          if (this.tickAgain) {
            this.tickAgain = false;
            this.wake();
          }
        }),
    );
  }

  /**
   * Stops polling: open platform jobs are left running (a restart resumes them), nothing is cancelled. Resolves once
   * every task has returned.
   */
  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.shutdown.abort();
    await this.ticking;
    await Promise.all([...this.tasks.values()].map((t) => t.done));
  }

  /** Open tasks (jobs being created, polled or cancelled) — for tests and the metrics. */
  public get activeCount(): number {
    return this.tasks.size;
  }

  /** Resolves when no task is open and no tick is in progress (tests). */
  public async idle(pollMs = 10): Promise<void> {
    while (this.tasks.size > 0 || this.ticking !== null || this.scheduled !== undefined) {
      await Promise.all([this.ticking, ...[...this.tasks.values()].map((t) => t.done)]);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private async tick(): Promise<void> {
    const { state } = this.deps;
    // Cancellations first, so a cancelled evaluation never takes a free slot.
    for (const row of state.toCancel()) {
      const task = this.tasks.get(keyText(row));
      if (task !== undefined) task.cancel.abort();
      else if (row.status === 'pending' && row.jobId === null) state.finish(keyOf(row), 'cancelled', null);
      else this.spawn(row);
    }
    for (const row of state.jobsToDelete()) {
      if (this.tasks.has(keyText(row)) || row.jobId === null) continue;
      // One try per tick: a platform that is down must not hold up the rest of the tick.
      const jobId = row.jobId;
      await withRunTrace(row.runId, () => this.deleteJob(row, jobId, 1), row.traceparent);
    }
    // Jobs already on the platform are polled whatever the limit (they use its capacity either way). While a task
    // waits out a backoff, every pass looks again, so it is respawned as soon as the backoff ends.
    if (this.rescan || this.backoffUntil.size > 0) {
      this.rescan = false;
      for (const ref of state.openRefs()) this.spawn(ref);
      this.forgetSettledBackoffs();
    }
    const free = this.deps.settings.maxConcurrentJobs - this.tasks.size;
    for (const row of state.startable(this.clock(), free)) this.spawn(row);
    this.deps.observer?.activeJobs(this.tasks.size);
  }

  private spawn(row: EvaluationRef): void {
    const key = keyText(row);
    if (this.tasks.has(key) || !this.running) return;
    const backoff = this.backoffUntil.get(key);
    if (backoff !== undefined && backoff.at > this.clock()) return;
    const cancel = new AbortController();
    const signal = AbortSignal.any([cancel.signal, this.shutdown.signal]);
    const done = withRunTrace(row.runId, () => this.drive(keyOf(row), signal), row.traceparent)
      .then(() => {
        this.backoffUntil.delete(key);
      })
      .catch((err: unknown) => {
        // Its evaluation may still be open with no task: the next passes look for it.
        this.rescan = true;
        const failures = (backoff?.failures ?? 0) + 1;
        const delay = this.backoffDelay(failures);
        this.backoffUntil.set(key, { at: this.clock() + delay, failures, key: keyOf(row) });
        this.logger.error(`${key}: ${message(err)}; trying again in ${delay} ms`);
        // A pass when the backoff ends respawns it, rather than the next timer pass.
        setTimeout(() => this.wake(), delay).unref();
      })
      .finally(() => {
        this.tasks.delete(key);
        this.deps.observer?.activeJobs(this.tasks.size);
        this.wake();
      });
    this.tasks.set(key, { cancel, done });
  }

  /** A backoff kept for an evaluation that has ended (or is gone) would only keep the passes rescanning. */
  private forgetSettledBackoffs(): void {
    for (const [text, { key }] of this.backoffUntil) {
      if (this.tasks.has(text)) continue;
      const status = this.deps.state.get(key)?.status;
      if (status === undefined || status === 'completed' || status === 'failed' || status === 'cancelled') {
        this.backoffUntil.delete(text);
      }
    }
  }

  /** Moves one evaluation forward until it is terminal, waits for a retry, or the worker stops. */
  private async drive(key: EvaluationKey, signal: AbortSignal): Promise<void> {
    for (;;) {
      const row = this.deps.state.get(key);
      if (row === null || this.shutdown.signal.aborted) return;
      if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') return;
      if (row.cancelRequested) {
        await this.cancel(row);
        return;
      }
      switch (row.status) {
        case 'pending':
          if (row.nextAttemptAt > this.clock()) return;
          await this.create(row);
          break;
        case 'creating':
          // Only seen when a previous task died mid-create in this process: create again.
          this.deps.state.retryAt(key, this.clock());
          break;
        case 'running':
          if (row.jobId === null) {
            this.deps.state.retryAt(key, this.clock());
          } else if (!row.startedPublished) {
            await this.deps.publisher.publish(Topics.evaluationStartedV1, startedEvent(row, row.jobId, this.clock()));
            this.deps.state.markStartedPublished(key);
            this.deps.observer?.started(row.evalType);
            this.logger.log(`${describeEvaluation(row)} (run ${row.runId}) started: job ${row.jobId}`);
          } else {
            await this.follow(row, row.jobId, signal);
          }
          break;
      }
    }
  }

  private async create(row: EvaluationRow): Promise<void> {
    const key = keyOf(row);
    this.deps.state.markCreating(key);
    const attempt = row.jobAttempts + 1;
    const spec: EvaluationSpec = {
      kind: evaluationKindOf(row.workloadType),
      model: row.targetModel,
      dataset: { namespace: this.deps.namespace, name: row.datasetName },
      judge: this.deps.settings.judge,
      ...(this.deps.settings.limit === undefined ? {} : { limit: this.deps.settings.limit }),
    };
    let job: EvaluationJob;
    try {
      job = await this.deps.evaluation.createJob(spec);
    } catch (err) {
      if (isTransient(err) && attempt < this.deps.settings.jobAttempts) {
        const delay = this.backoffDelay(attempt);
        this.logger.warn(`${describeEvaluation(row)}: job creation failed (${message(err)}); again in ${delay} ms`);
        this.deps.state.retryAt(key, this.clock() + delay);
        return;
      }
      const code = isTransient(err) ? 'PLATFORM_UNAVAILABLE' : 'EVALUATION_START_FAILED';
      await this.fail(row, null, errorInfo(code, describeEvaluation(row), err, isTransient(err)));
      return;
    }
    // Persisted before anything is published: a kill after this line resumes this job instead of creating one.
    this.deps.state.recordJob(key, job.id, this.clock());
  }

  /** Polls the job to its end and publishes the outcome; returns early when the signal aborts. */
  private async follow(row: EvaluationRow, jobId: string, signal: AbortSignal): Promise<void> {
    const { settings } = this.deps;
    let lastStatus: string | null = null;
    let lastPercent = -1;
    let lastPublishedAt = -Infinity;
    let publishing: Promise<unknown> = Promise.resolve();
    const onUpdate = (snapshot: EvaluationJob): void => {
      if (snapshot.status === 'succeeded') return; // evaluation.completed says so
      const percent = snapshot.progress ?? 0;
      const statusChanged = snapshot.status !== lastStatus;
      lastStatus = snapshot.status;
      const now = this.clock();
      if (!statusChanged && (percent === lastPercent || now - lastPublishedAt < settings.progressIntervalMs)) return;
      lastPercent = percent;
      lastPublishedAt = now;
      publishing = publishing
        .then(() => this.deps.publisher.publish(Topics.evaluationProgressV1, progressEvent(row, jobId, percent, now)))
        .catch((err: unknown) =>
          this.logger.warn(`${describeEvaluation(row)}: progress not published: ${message(err)}`),
        );
    };
    try {
      await this.deps.evaluation.waitForCompletion(jobId, { ...this.deps.wait, signal, onUpdate });
    } catch (err) {
      await publishing;
      if (err instanceof PlatformAbortedError) return; // cancel or shutdown: drive() decides
      if (err instanceof PlatformNotFoundError) {
        await this.lost(row, jobId, err);
        return;
      }
      // A job given up on (stalled, too slow, unreadable) may still be running: stop it, best effort, so a failed
      // evaluation never leaves a live job behind.
      const stillLive = !(err instanceof PlatformJobError) || (err.reason !== 'failed' && err.reason !== 'cancelled');
      if (stillLive) {
        await this.platformCall(`cancel job ${jobId}`, () => this.deps.evaluation.cancelJob(jobId), 1);
      }
      if (err instanceof PlatformJobError) {
        const { code, retryable } = codeOfJobError(err);
        await this.fail(row, jobId, errorInfo(code, describeEvaluation(row), err, retryable));
        return;
      }
      await this.fail(row, jobId, errorInfo('EVALUATION_POLL_FAILED', describeEvaluation(row), err, isTransient(err)));
      return;
    }
    await publishing;
    const results = await this.results(row, jobId, signal);
    if (results === null) return;
    const figures = figuresOf(results, this.clock() - (row.jobCreatedAt ?? this.clock()));
    if (Object.keys(figures.scores).length === 0) {
      await this.fail(
        row,
        jobId,
        errorInfo('EVALUATION_NO_SCORES', describeEvaluation(row), `job ${jobId} reported no scores`, false),
      );
      return;
    }
    await this.deps.publisher.publish(Topics.evaluationCompletedV1, completedEvent(row, jobId, figures, this.clock()));
    this.deps.state.finish(keyOf(row), 'completed', null);
    this.deps.observer?.finished(row.evalType, 'completed', figures.durationMs);
    this.logger.log(
      `${describeEvaluation(row)} (run ${row.runId}) completed: ${JSON.stringify(figures.scores)} ` +
        `over ${figures.sampleCount} samples`,
    );
  }

  /** The results of a finished job, with bounded retries on transient errors; null when the evaluation was failed. */
  private async results(row: EvaluationRow, jobId: string, signal: AbortSignal): Promise<EvaluationResults | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.deps.evaluation.getResults(jobId);
      } catch (err) {
        if (isTransient(err) && attempt < this.deps.settings.jobAttempts && !signal.aborted) {
          await sleep(this.backoffDelay(attempt), signal);
          continue;
        }
        if (signal.aborted) return null;
        await this.fail(
          row,
          jobId,
          errorInfo('EVALUATION_RESULTS_UNAVAILABLE', describeEvaluation(row), err, isTransient(err)),
        );
        return null;
      }
    }
  }

  /** The platform no longer knows the job (local engine restarted, job deleted): create it again, within bounds. */
  private async lost(row: EvaluationRow, jobId: string, err: PlatformNotFoundError): Promise<void> {
    if (row.jobAttempts < this.deps.settings.jobAttempts) {
      this.logger.warn(`${describeEvaluation(row)}: job ${jobId} is unknown to the platform; creating it again`);
      this.deps.state.retryAt(keyOf(row), this.clock());
      return;
    }
    await this.fail(
      row,
      jobId,
      errorInfo(
        'EVALUATION_JOB_LOST',
        describeEvaluation(row),
        `${message(err)} (after ${row.jobAttempts} jobs)`,
        true,
      ),
    );
  }

  /** Cancels the platform job (when there is one) and reports the evaluation cancelled. */
  private async cancel(row: EvaluationRow): Promise<void> {
    const key = keyOf(row);
    if (row.jobId !== null) {
      const jobId = row.jobId;
      const cancelled = await this.platformCall(`cancel job ${jobId}`, () => this.deps.evaluation.cancelJob(jobId));
      // The platform could not be reached: the task fails and is tried again later, so the job really stops.
      if (!cancelled) throw new Error(`${describeEvaluation(row)}: job ${jobId} could not be cancelled yet`);
      if (row.deleteRequested) await this.deleteJob(row, jobId);
    }
    const error: ErrorInfoV1 = {
      code: 'CANCELLED',
      message: `${describeEvaluation(row)} cancelled: ${this.stopReason(row)}`,
      retryable: false,
    };
    if (row.jobId !== null) {
      await this.deps.publisher.publish(Topics.evaluationFailedV1, failedEvent(row, row.jobId, error, this.clock()));
    }
    this.deps.state.finish(key, 'cancelled', error);
    this.deps.observer?.finished(row.evalType, 'cancelled', null);
    this.logger.log(`${describeEvaluation(row)} (run ${row.runId}) cancelled (${this.stopReason(row)})`);
  }

  private async fail(row: EvaluationRow, jobId: string | null, error: ErrorInfoV1): Promise<void> {
    await this.deps.publisher.publish(Topics.evaluationFailedV1, failedEvent(row, jobId, error, this.clock()));
    this.deps.state.finish(keyOf(row), 'failed', error);
    this.deps.observer?.finished(row.evalType, 'failed', null);
    this.logger.warn(`run ${row.runId}: ${error.message}`);
  }

  private async deleteJob(row: EvaluationRow, jobId: string, attempts?: number): Promise<void> {
    const ok = await this.platformCall(`delete job ${jobId}`, () => this.deps.evaluation.deleteJob(jobId), attempts);
    if (ok) this.deps.state.markJobDeleted(keyOf(row));
  }

  /**
   * A cancel or delete. Done (true) when it worked or the job is unknown; also when the platform refused it for good
   * (logged: asking again would not help). False when the platform stayed unreachable over a few attempts: the
   * caller tries again later.
   */
  private async platformCall(
    what: string,
    call: () => Promise<void>,
    attempts = this.deps.settings.jobAttempts,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await call();
        return true;
      } catch (err) {
        if (err instanceof PlatformNotFoundError) return true;
        if (!isTransient(err)) {
          this.logger.error(`${what} refused: ${message(err)}`);
          return true;
        }
        if (attempt < attempts) {
          await sleep(this.backoffDelay(attempt));
          continue;
        }
        this.logger.warn(`${what} failed: ${message(err)}; trying again later`);
        return false;
      }
    }
  }

  private stopReason(row: EvaluationRow): string {
    const run = this.deps.state.runFacts(row.runId);
    if (run?.stopped !== null && run?.stopped !== undefined) return `run ${row.runId} ${run.stopped}`;
    return `candidate ${row.modelName} finished`;
  }

  private backoffDelay(attempt: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.deps.settings;
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
