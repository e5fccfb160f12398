// Builds outside the Kafka handler. The handler only queues a run request in the state file and returns (its offset is
// committed at once), so how many runs are built at once no longer depends on how many partitions run.requested has
// or on which of them the run ids hash to: this worker keeps up to `concurrency` builds in hand, oldest first. A build
// spends most of its time waiting on the log store, the Data Store and the broker, so builds overlap well on one
// thread. Transient failures are retried with backoff up to `maxAttempts`, then the run is failed (retryable). The
// queue is in the state file: a builder killed mid-build resumes every queued run when it starts again (a build is
// idempotent: same ids, same files, stored events replayed).
import { catalogue, Topics, type RunRequestedV1 } from '@flywheel/contracts';
import { type BuildDatasets, type BuildResult } from './build-datasets';
import { type QueuedBuild, type RunStateStore } from '../state/run-state-store';

export interface BuildQueueSettings {
  /** Builds in hand at once. */
  readonly concurrency: number;
  /** Attempts at a build that keeps hitting transient errors before the run is failed. */
  readonly maxAttempts: number;
  /** Longest one attempt may take; it is then aborted (at its next stage) and counted as a transient failure. */
  readonly attemptTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How often due retries are looked for when nothing wakes the worker. */
  readonly tickIntervalMs?: number;
}

export interface BuildQueueLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface BuildQueueObserver {
  queued?(count: number): void;
  retried?(): void;
}

const SILENT: BuildQueueLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export class BuildQueueWorker {
  /** Scheduling uses the wall clock (not the events' clock): backoff is real waiting. */
  private readonly inHand = new Map<string, Promise<void>>();
  private readonly logger: BuildQueueLogger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopping = new AbortController();

  public constructor(
    private readonly deps: {
      readonly build: BuildDatasets;
      readonly state: RunStateStore;
      readonly settings: BuildQueueSettings;
      readonly logger?: BuildQueueLogger;
      readonly observer?: BuildQueueObserver;
    },
  ) {
    this.logger = deps.logger ?? SILENT;
  }

  /** Queues a consumed request (the handler's whole job) and starts it if there is room. */
  public enqueue(event: RunRequestedV1): void {
    this.deps.state.enqueueBuild(event.run_id, event as unknown as Record<string, unknown>, Date.now());
    this.wake();
  }

  /** Resumes what the state file holds and looks for due retries periodically. */
  public start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    const queued = this.deps.state.queuedBuilds();
    if (queued > 0) this.logger.log(`${queued} queued build(s) found in the state file: resuming`);
    this.timer = setInterval(() => this.wake(), this.deps.settings.tickIntervalMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking builds; the ones in hand are aborted at their next stage and stay queued for the next start. */
  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.stopping.abort();
    await Promise.allSettled([...this.inHand.values()]);
  }

  /** Builds in hand now (tests, readiness detail). */
  public get active(): number {
    return this.inHand.size;
  }

  /** Resolves once the queue is empty: every queued build settled, retries included (tests). */
  public async settled(): Promise<void> {
    while (this.inHand.size > 0 || this.deps.state.queuedBuilds() > 0) {
      await Promise.allSettled([...this.inHand.values()]);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  public wake(): void {
    if (!this.running) return;
    const room = this.deps.settings.concurrency - this.inHand.size;
    let due: QueuedBuild[];
    try {
      due = this.deps.state.dueBuilds(Date.now(), room, new Set(this.inHand.keys()));
    } catch (err) {
      this.logger.error(`build queue unreadable: ${message(err)}`);
      return;
    }
    for (const queued of due) {
      const task = this.attempt(queued).finally(() => {
        this.inHand.delete(queued.runId);
        this.report();
        this.wake();
      });
      this.inHand.set(queued.runId, task);
    }
    this.report();
  }

  private wakeIn(ms: number): void {
    setTimeout(() => this.wake(), ms + 1).unref();
  }

  private report(): void {
    this.deps.observer?.queued?.(this.deps.state.queuedBuilds());
  }

  private async attempt(queued: QueuedBuild): Promise<void> {
    const event = requestOf(queued);
    if (event === null) {
      this.logger.error(`run ${queued.runId}: queued request is not a valid run.requested; dropped`);
      this.deps.state.dequeueBuild(queued.runId);
      return;
    }
    const attempt = queued.attempts + 1;
    const timeout = AbortSignal.timeout(this.deps.settings.attemptTimeoutMs);
    const signal = AbortSignal.any([timeout, this.stopping.signal]);
    try {
      this.logResult(event, await this.deps.build.execute(event, signal));
      this.deps.state.dequeueBuild(event.run_id);
    } catch (err) {
      // A stop is not a failure: the build stays queued as it was and resumes at the next start.
      if (this.stopping.signal.aborted) return;
      const reason = message(err);
      if (attempt < this.deps.settings.maxAttempts) {
        const delay = backoff(attempt, this.deps.settings);
        this.deps.observer?.retried?.();
        this.logger.warn(
          `run ${event.run_id}: attempt ${attempt}/${this.deps.settings.maxAttempts} failed (${reason}); ` +
            `next in ${delay} ms`,
        );
        this.deps.state.deferBuild(event.run_id, attempt, Date.now() + delay);
        this.wakeIn(delay);
        return;
      }
      // Out of attempts: fail the run visibly (retryable) instead of leaving it `running`.
      this.logger.error(`run ${event.run_id}: giving up after ${attempt} attempts: ${reason}`);
      try {
        await this.deps.build.fail(event, err);
        this.deps.state.dequeueBuild(event.run_id);
      } catch (failErr) {
        // Not even the failure could be published (broker down): keep it queued and try the whole build again.
        this.logger.error(`run ${event.run_id}: could not report the failure: ${message(failErr)}`);
        const delay = backoff(attempt, this.deps.settings);
        this.deps.state.deferBuild(event.run_id, attempt - 1, Date.now() + delay);
        this.wakeIn(delay);
      }
    }
  }

  private logResult(event: RunRequestedV1, result: BuildResult): void {
    switch (result.kind) {
      case 'built':
        this.logger.log(`run ${event.run_id}: datasets built (${result.uploads} files uploaded)`);
        return;
      case 'failed':
        this.logger.warn(`run ${event.run_id}: dataset build failed: ${result.error.message}`);
        return;
      case 'cancelled':
        this.logger.log(`run ${event.run_id}: cancelled before ${result.stage}; stopped`);
        return;
      case 'replayed':
        this.logger.log(`run ${event.run_id}: already ${result.outcome}; stored events re-published`);
        return;
    }
  }
}

/** The stored request back as a run.requested, checked like the bus checks one (a damaged state file is refused). */
function requestOf(queued: QueuedBuild): RunRequestedV1 | null {
  const event = queued.request as unknown as RunRequestedV1;
  try {
    if (event.run_id !== queued.runId || !Array.isArray(event.candidates)) return null;
    return catalogue[Topics.runRequestedV1].validate(event).length === 0 ? event : null;
  } catch {
    return null;
  }
}

function backoff(attempt: number, s: BuildQueueSettings): number {
  return Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** (attempt - 1));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
