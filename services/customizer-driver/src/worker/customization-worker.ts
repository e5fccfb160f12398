// The long work, outside the Kafka handlers: a loop over the state file that cancels what is to be cancelled,
// removes the customized models of deleted runs, re-attaches a poller to every job that runs (after a restart too),
// and creates the jobs of customizations whose inputs are complete, at most `maxConcurrentJobs` at a time. Handlers
// wake it after recording something; a timer wakes it for retries.
//
// Order of writes for a kill at any line: the job id is recorded right after createJob returns, before any event;
// each event is published before the state records it, so a restart repeats the event (same id) rather than lose it.
// A creation whose outcome is unknown (the process died during createJob, or the call timed out) may have left a job
// at the platform: before trying again the worker looks it up by its output model (`findJob`) and re-attaches to it,
// and a 409 "output model exists" on creation is answered the same way, so no job is orphaned or duplicated.
//
// Tracing: each step for a customization (creating, polling, cancelling, deleting) runs inside its run's trace, under
// the delivery the state file recorded for the run, so a restarted worker's polls still join the run's trace; the loop
// itself runs outside any trace (a pass woken by a handler would otherwise carry that handler's span along).
import { Logger } from '@nestjs/common';
import { type EventPublisher, withRunTrace, withoutTrace } from '@flywheel/bus';
import { Topics, type ErrorInfoV1 } from '@flywheel/contracts';
import {
  PlatformError,
  type CustomizationClient,
  type CustomizationJob,
  type CustomizationJobSpec,
  type Hyperparameters,
} from '@flywheel/platform-clients';
import { type PlatformWait } from '@flywheel/service-kit';
import { configSpecFor, type ModelSettings } from '../config/model-settings';
import { type WorkerSettings } from '../config/driver-config';
import {
  completedEvent,
  failedEvent,
  progressEvent,
  startedEvent,
  type FlywheelCatalogue,
} from '../customization/events';
import { FailureCodes, failureOf, isAborted, isConflict, isTransient } from '../customization/failures';
import { mergeHyperparameters, type ServiceTraining } from '../customization/hyperparameters';
import {
  type CustomizationKey,
  type CustomizationState,
  type CustomizationStateStore,
  type RunState,
} from '../state/customization-state-store';
import { ProgressReporter } from './progress-reporter';

export interface WorkerObserver {
  jobCreated(): void;
  finished(outcome: 'completed' | 'failed' | 'cancelled', code: string | null, durationMs: number | null): void;
  activeJobs(n: number): void;
  platformRetry(step: 'create' | 'cancel' | 'delete-model'): void;
}

export interface WorkerDeps {
  readonly state: CustomizationStateStore;
  readonly customization: CustomizationClient;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  readonly observer?: WorkerObserver;
  readonly clock?: () => number;
}

export interface WorkerOptions {
  readonly worker: WorkerSettings;
  readonly wait: PlatformWait;
  /** Namespace of the training datasets (where the dataset-builder uploads them). */
  readonly namespace: string;
  readonly training: ServiceTraining;
  readonly models: ModelSettings;
}

interface Poller {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

const keyOf = (k: CustomizationKey): string => `${k.runId}\u0000${k.modelName}`;

export class CustomizationWorker {
  private readonly logger = new Logger('CustomizerDriver');
  private readonly clock: () => number;
  private readonly pollers = new Map<string, Poller>();
  private readonly creating = new Map<string, Promise<void>>();
  /** Customizations whose job may exist although no id was recorded (creation interrupted or timed out). */
  private readonly mayExist = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopped = false;

  public constructor(
    private readonly deps: WorkerDeps,
    private readonly o: WorkerOptions,
  ) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Starts the loop; creations a previous process left unfinished are retried. */
  public start(): void {
    if (this.started) return;
    this.started = true;
    // Creations the last process left unfinished may have made a job. So may those a cancel reached first (the
    // cancel was recorded after the process died): a job-less cancel looks for a job before it is reported.
    for (const c of this.deps.state.inStatus('creating')) this.mayExist.add(keyOf(c));
    for (const c of this.deps.state.inStatus('cancelling')) if (c.jobId === null) this.mayExist.add(keyOf(c));
    const reset = this.deps.state.resetInterruptedCreations();
    if (reset > 0) this.logger.warn(`${reset} job creation(s) interrupted by the last stop: trying again`);
    this.wake();
  }

  /** Runs the loop soon (after the tick in progress, if any). */
  public wake(): void {
    if (!this.started || this.stopped) return;
    if (this.ticking !== null) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = withoutTrace(() =>
      this.tick()
        .catch((err: unknown) => this.logger.error(`worker tick failed: ${describe(err)}`))
        .finally(() => {
          this.ticking = null;
          if (this.stopped) return;
          if (this.again) {
            this.again = false;
            this.wake();
          } else {
            this.timer = setTimeout(() => this.wake(), this.o.worker.intervalMs);
          }
        }),
    );
  }

  /** Whether the loop runs (liveness/readiness). */
  public isRunning(): boolean {
    return this.started && !this.stopped;
  }

  /** Jobs in flight: being created or polled. */
  public activeJobs(): number {
    return this.creating.size + this.pollers.size;
  }

  /**
   * Stops polling (the platform jobs keep running; the next process re-attaches to them) and waits for creations in
   * flight to record their job ids.
   */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.ticking;
    for (const p of this.pollers.values()) p.abort.abort();
    await Promise.allSettled([...this.pollers.values()].map((p) => p.done));
    await Promise.allSettled([...this.creating.values()]);
  }

  private async tick(): Promise<void> {
    const now = this.clock();
    for (const c of this.deps.state.inStatus('cancelling')) {
      if (this.stopped) return;
      // A creation in flight records its job id first; the cancel then has a job to cancel.
      if (this.creating.has(keyOf(c)) || c.nextAttemptAt > now) continue;
      await this.guard(c, 'cancel', () => this.cancel(c));
    }
    for (const c of this.deps.state.modelsToDelete(now)) {
      if (this.stopped) return;
      await this.guard(c, 'model deletion', () => this.deleteModel(c));
    }
    for (const c of this.deps.state.inStatus('running')) {
      if (this.stopped) return;
      if (!this.pollers.has(keyOf(c))) this.startPoller(c);
    }
    for (const c of this.deps.state.ready(now)) {
      if (this.stopped) return;
      await this.guard(c, 'start', () => this.begin(c));
    }
    this.deps.observer?.activeJobs(this.activeJobs());
  }

  /** Runs a step for `c` inside its run's trace (see the header). */
  private inRun<R>(c: CustomizationKey, step: () => R): R {
    return withRunTrace(c.runId, step, this.deps.state.run(c.runId)?.traceparent);
  }

  private async guard(c: CustomizationKey, what: string, step: () => Promise<void>): Promise<void> {
    try {
      await this.inRun(c, step);
    } catch (err) {
      // Typically the bus is down: the state did not move, so the next tick tries again.
      this.logger.warn(`${c.runId}/${c.modelName}: ${what} not done yet: ${describe(err)}`);
    }
  }

  // --- starting ----------------------------------------------------------------------------------------------

  private async begin(c: CustomizationState): Promise<void> {
    const run = this.deps.state.run(c.runId);
    if (run === null) return;
    if (run.train === null) {
      await this.fail(c, null, {
        code: FailureCodes.noTrainDataset,
        message:
          `customization of ${c.modelName} not started: datasets.built of run ${c.runId} has no training dataset ` +
          '(customization is enabled for this candidate, but no train split was written)',
        retryable: false,
      });
      return;
    }
    const merged = mergeHyperparameters(this.o.training, run.training, run.lora);
    if (!merged.ok) {
      await this.fail(c, null, {
        code: FailureCodes.invalidConfig,
        message: `customization of ${c.modelName} not started: invalid training settings: ${merged.problems.join('; ')}`,
        retryable: false,
      });
      return;
    }
    if (this.activeJobs() >= this.o.worker.maxConcurrentJobs) return;
    if (!this.deps.state.move(c, 'creating', this.clock())) return;
    const key = keyOf(c);
    const creation = this.create(c, run, merged.hyperparameters).finally(() => {
      this.creating.delete(key);
      this.wake();
    });
    this.creating.set(key, creation);
  }

  private async create(c: CustomizationState, run: RunState, h: Hyperparameters): Promise<void> {
    const train = run.train;
    if (train === null) return;
    try {
      const config = await this.deps.customization.ensureConfig(configSpecFor(c.modelName, this.o.models, h));
      if (this.deps.state.get(c)?.status !== 'creating') return; // cancelled meanwhile: nothing created
      const spec = {
        runId: c.runId,
        workloadId: run.workloadId ?? c.runId,
        baseModel: c.modelName,
        config,
        dataset: { namespace: this.o.namespace, name: train.name },
        hyperparameters: h,
      };
      const { job, adopted } = await this.createOrAdopt(c, spec);
      this.deps.state.recordJob(c, {
        jobId: job.id,
        outputModel: job.outputModel,
        createdAt: this.clock(),
        trainDataset: train.name,
        hyperparameters: h,
      });
      this.mayExist.delete(keyOf(c));
      if (adopted) {
        this.logger.warn(
          `${c.runId}/${c.modelName}: re-attached to job ${job.id} (${job.rawStatus}) → ${job.outputModel}, ` +
            'created by an earlier attempt whose job id was never recorded',
        );
      } else {
        this.deps.observer?.jobCreated();
        this.logger.log(`${c.runId}/${c.modelName}: customization job ${job.id} created → ${job.outputModel}`);
      }
      const now = this.deps.state.get(c);
      if (now?.status === 'running' && !this.stopped) this.startPoller(now);
    } catch (err) {
      if (this.deps.state.get(c)?.status !== 'creating') return; // a cancel arrived: the cancel step reports it
      const attempts = c.attempts + 1;
      // A create that timed out or lost its connection may have been done by the platform: look before retrying.
      if (isTransient(err)) this.mayExist.add(keyOf(c));
      if (isTransient(err) && attempts < this.o.worker.maxAttempts) {
        this.deps.observer?.platformRetry('create');
        this.logger.warn(
          `${c.runId}/${c.modelName}: creating the job failed (attempt ${attempts}/${this.o.worker.maxAttempts}): ${describe(err)}`,
        );
        this.deps.state.retryLater(c, attempts, this.clock() + this.backoff(attempts));
        return;
      }
      try {
        await this.fail(c, null, failureOf(c.modelName, err));
      } catch (publishErr) {
        // The failure could not be told: back to waiting, so a later tick tries (and reports) again.
        this.logger.warn(`${c.runId}/${c.modelName}: failure not published: ${describe(publishErr)}`);
        this.deps.state.retryLater(c, c.attempts, this.clock() + this.backoff(attempts));
      }
    }
  }

  /**
   * Creates the job, or finds the one an earlier attempt created without recording its id: looked up first when the
   * earlier attempt's outcome is unknown, and when the Customizer answers 409 (the output model, unique per run,
   * exists). Only a job still running or completed is adopted; a failed or cancelled one did not make the model.
   */
  private async createOrAdopt(
    c: CustomizationState,
    spec: CustomizationJobSpec,
  ): Promise<{ job: CustomizationJob; adopted: boolean }> {
    if (this.mayExist.has(keyOf(c))) {
      const found = await this.findUsable(spec);
      if (found !== null) return { job: found, adopted: true };
    }
    try {
      return { job: await this.deps.customization.createJob(spec), adopted: false };
    } catch (err) {
      if (!isConflict(err)) throw err;
      const found = await this.findUsable(spec);
      if (found === null) throw err; // not ours to take over: fails as OUTPUT_MODEL_EXISTS
      return { job: found, adopted: true };
    }
  }

  private async findUsable(spec: CustomizationJobSpec): Promise<CustomizationJob | null> {
    const found = await this.deps.customization.findJob(spec);
    return found !== null && found.status !== 'failed' && found.status !== 'cancelled' ? found : null;
  }

  // --- polling -----------------------------------------------------------------------------------------------

  private startPoller(c: CustomizationState): void {
    const key = keyOf(c);
    if (this.pollers.has(key) || c.jobId === null) return;
    const abort = new AbortController();
    const jobId = c.jobId;
    const done = this.inRun(c, () => this.poll(c, jobId, abort.signal)).finally(() => {
      this.pollers.delete(key);
    });
    this.pollers.set(key, { abort, done });
  }

  private async poll(c: CustomizationState, jobId: string, signal: AbortSignal): Promise<void> {
    const reporter = new ProgressReporter({
      nextSeq: c.progressSeq,
      lastReportedAt: c.lastProgressAt,
      lastPercent: c.lastPercent,
      intervalMs: this.o.worker.progressIntervalMs,
      heartbeatMs: this.o.worker.progressHeartbeatMs,
      clock: this.clock,
      report: async (s) => {
        await this.deps.publisher.publish(
          Topics.customizationProgressV1,
          progressEvent({ runId: c.runId, model: c.modelName, jobId, ...s }, s.at),
        );
        this.deps.state.saveProgress(c, s.seq, s.percent, s.at);
      },
    });
    try {
      if (!c.startedPublished) {
        await this.deps.publisher.publish(
          Topics.customizationStartedV1,
          startedEvent(
            {
              runId: c.runId,
              model: c.modelName,
              jobId,
              outputModel: c.outputModel ?? '',
              trainDataset: c.trainDataset ?? '',
              hyperparameters: c.hyperparameters ?? this.fallbackHyperparameters(),
            },
            this.clock(),
          ),
        );
        this.deps.state.markStartedPublished(c);
      }
      const elapsed = this.clock() - (c.jobCreatedAt ?? this.clock());
      const final = await this.deps.customization.waitForCompletion(jobId, {
        pollIntervalMs: this.o.wait.pollIntervalMs,
        // The deadline counts from the job's creation, across restarts.
        timeoutMs: Math.max(1, this.o.wait.timeoutMs - elapsed),
        stallTimeoutMs: this.o.wait.stallTimeoutMs,
        signal,
        onUpdate: (s) => reporter.update(s),
      });
      await reporter.flush();
      if (signal.aborted || this.deps.state.get(c)?.status !== 'running') return;
      await this.complete(c, final);
    } catch (err) {
      await reporter.flush();
      if (signal.aborted || isAborted(err)) return;
      if (this.deps.state.get(c)?.status !== 'running') return;
      if (!(err instanceof PlatformError)) {
        // Not the platform's answer (the bus, say): the next tick re-attaches and tries again.
        this.logger.warn(`${c.runId}/${c.modelName}: polling job ${jobId} interrupted: ${describe(err)}`);
        return;
      }
      await this.fail(c, jobId, failureOf(c.modelName, err)).catch((publishErr: unknown) =>
        this.logger.warn(`${c.runId}/${c.modelName}: failure not published yet: ${describe(publishErr)}`),
      );
    }
  }

  private async complete(c: CustomizationState, job: CustomizationJob): Promise<void> {
    const durationMs = this.clock() - (c.jobCreatedAt ?? this.clock());
    await this.deps.publisher.publish(
      Topics.customizationCompletedV1,
      completedEvent(
        {
          runId: c.runId,
          model: c.modelName,
          jobId: job.id,
          customizedModel: job.outputModel || (c.outputModel ?? ''),
          epochs: job.epochsCompleted,
          steps: job.stepsCompleted,
          trainLoss: job.trainLoss ?? null,
          valLoss: job.valLoss ?? null,
          durationMs,
        },
        this.clock(),
      ),
    );
    if (this.deps.state.move(c, 'completed', this.clock())) {
      this.deps.observer?.finished('completed', null, durationMs);
      this.logger.log(`${c.runId}/${c.modelName}: customization completed → ${job.outputModel}`);
    }
  }

  // --- ending ------------------------------------------------------------------------------------------------

  private async fail(c: CustomizationState, jobId: string | null, error: ErrorInfoV1): Promise<void> {
    await this.deps.publisher.publish(
      Topics.customizationFailedV1,
      failedEvent({ runId: c.runId, model: c.modelName, jobId, error }, this.clock()),
    );
    if (this.deps.state.move(c, 'failed', this.clock())) {
      const duration = c.jobCreatedAt === null ? null : this.clock() - c.jobCreatedAt;
      this.deps.observer?.finished('failed', error.code, duration);
      this.logger.warn(`${c.runId}/${c.modelName}: ${error.code}: ${error.message}`);
    }
  }

  private async cancel(c: CustomizationState): Promise<void> {
    const key = keyOf(c);
    const poller = this.pollers.get(key);
    if (poller !== undefined) {
      poller.abort.abort();
      await poller.done;
    }
    let fresh = this.deps.state.get(c) ?? c;
    if (fresh.jobId === null && this.mayExist.has(key)) {
      // The creation's outcome is unknown: a job made for it would train on unless found and cancelled too.
      let found: CustomizationJob | null;
      try {
        found = await this.deps.customization.findJob({ runId: c.runId, baseModel: c.modelName });
      } catch (err) {
        const attempts = fresh.attempts + 1;
        if (isTransient(err) && attempts < this.o.worker.maxAttempts) {
          this.deps.observer?.platformRetry('cancel');
          this.deps.state.noteAttempt(c, attempts, this.clock() + this.backoff(attempts));
          this.logger.warn(
            `${c.runId}/${c.modelName}: looking up its job failed (attempt ${attempts}): ${describe(err)}`,
          );
          return;
        }
        this.logger.warn(`${c.runId}/${c.modelName}: looking up its job failed for good: ${describe(err)}`);
        found = null;
      }
      if (found !== null && found.status !== 'failed' && found.status !== 'cancelled') {
        const run = this.deps.state.run(c.runId);
        this.deps.state.recordJob(c, {
          jobId: found.id,
          outputModel: found.outputModel,
          createdAt: this.clock(),
          trainDataset: run?.train?.name ?? '',
          hyperparameters: fresh.hyperparameters ?? this.fallbackHyperparameters(),
        });
        fresh = this.deps.state.get(c) ?? fresh;
      }
      this.mayExist.delete(key);
    }
    let note = '';
    if (fresh.jobId !== null) {
      try {
        await this.deps.customization.cancelJob(fresh.jobId);
      } catch (err) {
        const attempts = fresh.attempts + 1;
        if (isTransient(err) && attempts < this.o.worker.maxAttempts) {
          this.deps.observer?.platformRetry('cancel');
          this.deps.state.noteAttempt(c, attempts, this.clock() + this.backoff(attempts));
          this.logger.warn(
            `${c.runId}/${c.modelName}: cancelling job ${fresh.jobId} failed (attempt ${attempts}): ${describe(err)}`,
          );
          return;
        }
        note = `; cancelling platform job ${fresh.jobId} failed: ${describe(err)}`;
      }
    }
    const reason = fresh.cancelReason ?? 'cancelled';
    await this.deps.publisher.publish(
      Topics.customizationFailedV1,
      failedEvent(
        {
          runId: c.runId,
          model: c.modelName,
          jobId: fresh.jobId,
          error: {
            code: FailureCodes.cancelled,
            message: `customization of ${c.modelName} cancelled${fresh.jobId === null ? ' before its job was created' : ` (job ${fresh.jobId})`}: ${reason}${note}`,
            retryable: false,
          },
        },
        this.clock(),
      ),
    );
    if (this.deps.state.move(c, 'cancelled', this.clock())) {
      this.deps.observer?.finished('cancelled', FailureCodes.cancelled, null);
      this.logger.log(`${c.runId}/${c.modelName}: customization cancelled (${reason})${note}`);
    }
  }

  private async deleteModel(c: CustomizationState): Promise<void> {
    if (c.outputModel === null) return;
    try {
      await this.deps.customization.deleteModel(c.outputModel);
      this.deps.state.markModelDeleted(c);
      this.logger.log(`${c.runId}/${c.modelName}: customized model ${c.outputModel} deleted with its run`);
    } catch (err) {
      // Kept trying (at the longest backoff once attempts are used up): a model left behind costs storage.
      const attempts = c.attempts + 1;
      this.deps.observer?.platformRetry('delete-model');
      this.deps.state.noteAttempt(c, attempts, this.clock() + this.backoff(attempts));
      this.logger.warn(
        `${c.runId}/${c.modelName}: deleting ${c.outputModel} failed (attempt ${attempts}): ${describe(err)}`,
      );
    }
  }

  private backoff(attempt: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.o.worker;
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  }

  /** Only for a row written before its hyperparameters were (never, in this version): the service's own. */
  private fallbackHyperparameters(): Hyperparameters {
    const merged = mergeHyperparameters(this.o.training, null, null);
    if (merged.ok) return merged.hyperparameters;
    throw new Error(`service training settings are invalid: ${merged.problems.join('; ')}`);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
