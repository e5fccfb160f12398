// The deployer's worker: the only place that talks to the platform and publishes. Handlers record intent in the state
// store and wake it; each pass (one at a time) releases what was asked to be released, grants queued leases within
// the GPU capacity, publishes what finished deploying or failed, deletes deployments no lease holds any more, and
// makes sure every deployment in progress has a task waiting on it. Deploy tasks run concurrently and only write
// their outcome to the state store, so every decision is taken in one serialized pass over persisted state — which
// is also what a restart resumes from.
//
// Tracing: what the worker does for a lease (its events, a teardown) runs in the lease's run trace, under the deploy
// request's delivery; a deploy task (probe, create, the waits until ready) in the trace of the lease that made the
// deployment. Both contexts are stored, so work resumed after a restart joins the same traces. Passes themselves run
// outside any trace, and so does the periodic reconcile: it checks deployments every run shares, for none in particular.
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type EventPublisher, withRunTrace, withoutTrace } from '@flywheel/bus';
import { Topics, type ErrorInfoV1, type catalogue } from '@flywheel/contracts';
import { deploymentName, type DeploymentClient, type DeploymentSpec } from '@flywheel/platform-clients';
import { type PlatformWait } from '@flywheel/service-kit';
import { planGrants, gpusInUse, type CapacitySettings } from '../leases/capacity';
import { HOLDING, type DeploymentRow, type Lease, type LeaseState } from '../leases/lease-model';
import { type DeployerStateStore } from '../state/deployer-state-store';
import { deployFailure, isAbort } from './deploy-failure';
import { deployFailedEvent, deployedEvent, releasedEvent } from './deployer-events';

export type DeployerCatalogue = typeof catalogue;

/** What the worker reports (metrics); every method optional. */
export interface DeployerObserver {
  state?(s: { gpusInUse: number; gpuCapacity: number; queueLength: number; leases: Record<LeaseState, number> }): void;
  granted?(kind: 'deploy' | 'join'): void;
  deployFailed?(code: string): void;
  deleted?(): void;
}

export interface WorkerSettings {
  readonly capacity: CapacitySettings;
  readonly deploy: { readonly maxAttempts: number; readonly backoffBaseMs: number; readonly backoffMaxMs: number };
  readonly wait: PlatformWait;
  readonly tickIntervalMs: number;
  readonly reconcileIntervalMs: number;
}

export interface WorkerDeps {
  readonly state: DeployerStateStore;
  readonly deployments: DeploymentClient;
  readonly publisher: EventPublisher<DeployerCatalogue>;
  /** Base URL that serves a model; null when the backend has none for it. */
  readonly endpointOf: (model: string) => string | null;
  readonly backend: 'nemo' | 'openai-compatible';
  readonly observer?: DeployerObserver;
  readonly clock?: () => number;
}

interface Task {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

export class DeployerWorker {
  private readonly logger = new Logger('Deployer');
  private readonly tasks = new Map<string, Task>();
  private readonly stopping = new AbortController();
  private ticking: Promise<void> | null = null;
  private again = false;
  private reconcileDue = false;
  private timers: NodeJS.Timeout[] = [];
  private started = false;

  public constructor(
    private readonly deps: WorkerDeps,
    private readonly settings: WorkerSettings,
  ) {}

  /** Start-up reconcile (re-attach, re-deploy what vanished, delete orphans), then passes on wake and on a timer. */
  public async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.reconcile();
    this.timers.push(setInterval(() => this.wake(), this.settings.tickIntervalMs));
    if (this.settings.reconcileIntervalMs > 0) {
      this.timers.push(setInterval(() => void this.reconcile(), this.settings.reconcileIntervalMs));
    }
    for (const t of this.timers) t.unref();
  }

  /** Runs a pass soon; passes never overlap (a wake during one runs another after it). */
  public wake(): void {
    if (this.stopping.signal.aborted || !this.started) return;
    void this.pass();
  }

  /** Resolves when no pass is running (tests; the state may still have tasks in flight). */
  public async settled(): Promise<void> {
    while (this.ticking !== null) await this.ticking;
  }

  /** Stops passes and deploy tasks (deployments stay as they are; the next start re-attaches). */
  public async stop(): Promise<void> {
    this.stopping.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const t of this.tasks.values()) t.abort.abort();
    await Promise.all([...this.tasks.values()].map((t) => t.done));
    await this.settled();
  }

  /** Runs a reconcile (below) at the start of the next pass, so it never interleaves with one; resolves after it. */
  public async reconcile(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.reconcileDue = true;
    await this.pass();
    await this.settled();
  }

  /**
   * Checks ready deployments we created against the platform: one that is gone (or failed) is deployed again, so no
   * run waits on a deployment that no longer exists; after DEPLOYER_DEPLOY_ATTEMPTS its leases fail instead. A
   * platform that does not answer is not a vanished deployment: nothing changes until it answers.
   */
  private async reconcileOnce(): Promise<void> {
    const { state } = this.deps;
    for (const dep of state.deployments()) {
      if (dep.status !== 'ready' || dep.owned !== true || this.holders(dep.model).length === 0) continue;
      let live;
      try {
        live = await this.deps.deployments.get(dep.model);
      } catch (err) {
        this.logger.warn(`reconcile: cannot look up ${dep.model} (${text(err)}); checking again later`);
        continue;
      }
      if (live !== null && live.status !== 'failed' && live.status !== 'cancelled') continue;
      const attempts = dep.attempts + 1;
      const why = live === null ? 'no longer exists on the platform' : `is ${live.status} on the platform`;
      if (attempts >= this.settings.deploy.maxAttempts) {
        const error: ErrorInfoV1 = {
          code: 'DEPLOYMENT_LOST',
          message: `deployment of ${dep.model} ${why}; gave up after ${attempts} attempts`,
          retryable: true,
        };
        this.logger.warn(error.message);
        state.updateDeployment(dep.model, { status: 'failed', attempts, error }, this.now());
      } else {
        this.logger.warn(`deployment of ${dep.model} ${why}: deploying it again (attempt ${attempts + 1})`);
        state.updateDeployment(dep.model, { status: 'deploying', attempts }, this.now());
      }
    }
  }

  private pass(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    if (this.ticking !== null) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = withoutTrace(async () => {
      do {
        this.again = false;
        try {
          await this.passOnce();
        } catch (err) {
          // The state is unchanged where a step failed (publish before marking); the next pass tries again.
          this.logger.error(`pass failed: ${text(err)}`);
        }
      } while (this.again && !this.stopping.signal.aborted);
    }).finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async passOnce(): Promise<void> {
    if (this.reconcileDue) {
      this.reconcileDue = false;
      await this.reconcileOnce();
    }
    await this.releaseRequested();
    await this.grantQueued();
    await this.settleDeployments();
    this.ensureTasks();
    this.report();
  }

  // --- releases -----------------------------------------------------------------------------------------------

  private async releaseRequested(): Promise<void> {
    for (const lease of this.deps.state.liveLeases()) {
      if (lease.releaseReason === null) continue;
      await inLease(lease, () => this.release(lease));
    }
  }

  private async release(lease: Lease): Promise<void> {
    const { state } = this.deps;
    if (!HOLDING.includes(lease.state)) {
      await this.publishReleased(lease);
      state.completeRelease(lease.runId, lease.model, false, this.now());
      return;
    }
    const others = this.holders(lease.model).filter((l) => l.runId !== lease.runId);
    if (others.length > 0) {
      await this.publishReleased(lease);
      state.completeRelease(lease.runId, lease.model, false, this.now());
      this.logger.log(`${lease.runId}: released ${lease.model} (${others.length} lease(s) still on it)`);
      return;
    }
    const dep = state.deployment(lease.model);
    if (dep !== null && !(await this.teardown(dep))) return; // delete failed: try again next pass
    await this.publishReleased(lease);
    state.completeRelease(lease.runId, lease.model, true, this.now());
    this.logger.log(`${lease.runId}: released ${lease.model}, the last lease on it`);
  }

  private async publishReleased(lease: Lease): Promise<void> {
    await this.deps.publisher.publish(
      Topics.candidateReleasedV1,
      releasedEvent(lease, lease.releaseReason ?? 'unknown', this.now()),
    );
  }

  /**
   * Stops the deployment's task and deletes it on the platform when it is ours. Pre-existing models (served before
   * we came, e.g. the teacher) are never torn down. False when the delete failed (kept as `deleting`).
   */
  private async teardown(dep: DeploymentRow): Promise<boolean> {
    await this.stopTask(dep.model);
    const current = this.deps.state.deployment(dep.model) ?? dep;
    if (current.owned !== true) return true; // pre-existing, or never created (stopped while probing)
    try {
      await this.deps.deployments.delete(dep.model);
      this.deps.observer?.deleted?.();
      this.logger.log(`deleted the deployment of ${dep.model} (${dep.deploymentId})`);
      return true;
    } catch (err) {
      this.logger.warn(`delete of ${dep.model} failed (${text(err)}); trying again`);
      this.deps.state.updateDeployment(dep.model, { status: 'deleting' }, this.now());
      return false;
    }
  }

  // --- grants -------------------------------------------------------------------------------------------------

  private async grantQueued(): Promise<void> {
    const { state } = this.deps;
    // A deploy grant makes later leases of the same model joiners: plan again until nothing changes.
    for (let round = 0; round < 10; round++) {
      const queued = state.liveLeases().filter((l) => l.state === 'queued' && l.releaseReason === null);
      const grants = planGrants(queued, state.deployments(), this.settings.capacity.gpus);
      if (grants.length === 0) return;
      for (const g of grants) {
        const { lease } = g;
        switch (g.kind) {
          case 'reject': {
            const error: ErrorInfoV1 = { code: 'EXCEEDS_GPU_CAPACITY', message: g.reason, retryable: false };
            await inLease(lease, () => this.announceFailure(lease, error));
            this.deps.observer?.deployFailed?.(error.code);
            state.updateLease(lease.runId, lease.model, { state: 'failed', error }, this.now());
            this.logger.warn(`${lease.runId}: ${g.reason}`);
            break;
          }
          case 'join':
            state.updateLease(
              lease.runId,
              lease.model,
              { state: 'deploying', deploymentId: g.deployment.deploymentId, reused: true },
              this.now(),
            );
            this.deps.observer?.granted?.('join');
            this.logger.log(`${lease.runId}: shares the deployment of ${lease.model} (${g.deployment.deploymentId})`);
            break;
          case 'deploy':
            state.grantDeploy(lease, `${deploymentName(lease.model)}-${lease.seq}`, this.now());
            this.deps.observer?.granted?.('deploy');
            this.logger.log(`${lease.runId}: deploying ${lease.model} on ${lease.gpus} GPU(s)`);
            break;
        }
      }
    }
  }

  // --- outcomes -----------------------------------------------------------------------------------------------

  private async settleDeployments(): Promise<void> {
    const { state } = this.deps;
    for (const dep of state.deployments()) {
      const holders = this.holders(dep.model);
      if (dep.status === 'ready') {
        for (const lease of holders.filter((l) => l.state === 'deploying')) {
          await inLease(lease, () => this.announceReady(lease, dep));
        }
      } else if (dep.status === 'failed') {
        const error = dep.error ?? {
          code: 'DEPLOYMENT_FAILED',
          message: `deployment of ${dep.model} failed`,
          retryable: false,
        };
        for (const lease of holders) {
          await inLease(lease, () => this.announceFailure(lease, error));
          state.updateLease(lease.runId, lease.model, { state: 'failed', error }, this.now());
        }
        this.deps.observer?.deployFailed?.(error.code);
      }
    }
    // Deployments no lease holds (failed ones, orphans of a run that ended while we were down): delete.
    for (const dep of state.deployments()) {
      if (this.holders(dep.model).length > 0) continue;
      if (await inDeployment(dep, () => this.teardown(dep))) state.removeDeployment(dep.model);
    }
  }

  /** The deployment is ready: the lease's candidate.deployed, or deploy-failed when no endpoint serves the model. */
  private async announceReady(lease: Lease, dep: DeploymentRow): Promise<void> {
    const { state } = this.deps;
    const endpointUrl = this.deps.endpointOf(dep.model);
    if (endpointUrl === null) {
      const error: ErrorInfoV1 = {
        code: 'NO_ENDPOINT',
        message: `${dep.model} is deployed but no endpoint URL serves it in the platform config`,
        retryable: false,
      };
      await this.announceFailure(lease, error);
      this.deps.observer?.deployFailed?.(error.code);
      state.updateLease(lease.runId, lease.model, { state: 'failed', error }, this.now());
      return;
    }
    await this.deps.publisher.publish(
      Topics.candidateDeployedV1,
      deployedEvent(
        lease,
        { deploymentId: dep.deploymentId, endpointUrl, reused: lease.reused || dep.owned === false },
        this.now(),
      ),
    );
    state.updateLease(lease.runId, lease.model, { state: 'active' }, this.now());
    this.logger.log(`${lease.runId}: ${dep.model} deployed (${dep.deploymentId})`);
  }

  private async announceFailure(lease: Lease, error: ErrorInfoV1): Promise<void> {
    await this.deps.publisher.publish(Topics.candidateDeployFailedV1, deployFailedEvent(lease, error, this.now()));
    this.logger.warn(`${lease.runId}: deploy of ${lease.model} failed: ${error.message}`);
  }

  // --- deploy tasks -------------------------------------------------------------------------------------------

  private ensureTasks(): void {
    for (const dep of this.deps.state.deployments()) {
      if (dep.status !== 'probing' && dep.status !== 'deploying') continue;
      if (this.tasks.has(dep.model) || this.stopping.signal.aborted) continue;
      const abort = new AbortController();
      const done = inDeployment(dep, () => this.deploy(dep.model, abort.signal))
        .catch((err: unknown) => this.logger.error(`deploy task of ${dep.model} crashed: ${text(err)}`))
        .finally(() => {
          this.tasks.delete(dep.model);
          this.wake();
        });
      this.tasks.set(dep.model, { abort, done });
    }
  }

  private async stopTask(model: string): Promise<void> {
    const task = this.tasks.get(model);
    if (task === undefined) return;
    task.abort.abort();
    await task.done;
  }

  /** Deploys (or re-attaches to) one model until ready, failed for good, or aborted; writes only the outcome. */
  private async deploy(model: string, signal: AbortSignal): Promise<void> {
    const { state, deployments } = this.deps;
    for (;;) {
      const dep = state.deployment(model);
      if (dep === null || signal.aborted) return;
      try {
        // Only our own deployments skip the probe: a pre-existing one is looked at again (it may have gone since).
        const owned = dep.owned === true ? true : await this.probe(dep, signal);
        if (signal.aborted) return;
        if (owned === 'served') {
          state.updateDeployment(model, { status: 'ready', error: null }, this.now());
          return;
        }
        if (owned) await deployments.deploy(this.specOf(dep));
        await deployments.waitUntilReady(model, { ...this.settings.wait, signal });
        if (signal.aborted) return;
        state.updateDeployment(model, { status: 'ready', error: null }, this.now());
        return;
      } catch (err) {
        if (signal.aborted || isAbort(err)) return;
        const failure = deployFailure(model, err);
        const attempts = dep.attempts + 1;
        if (failure.tryAgain && attempts < this.settings.deploy.maxAttempts) {
          const wait = Math.min(
            this.settings.deploy.backoffMaxMs,
            this.settings.deploy.backoffBaseMs * 2 ** (attempts - 1),
          );
          this.logger.warn(`${failure.error.message}; attempt ${attempts + 1} in ${wait} ms`);
          state.updateDeployment(model, { attempts }, this.now());
          const waited = await delay(wait, true, { signal }).catch(() => false);
          if (!waited) return;
          continue;
        }
        state.updateDeployment(model, { status: 'failed', attempts, error: failure.error }, this.now());
        return;
      }
    }
  }

  /**
   * Whether we deploy the model or the platform already serves it: an existing live deployment we did not create,
   * or a model the inference endpoint lists without any deployment (the teacher), is used as it is and never torn
   * down. The answer is persisted before any deploy call, so a restart never mistakes our deployment for theirs.
   */
  private async probe(dep: DeploymentRow, signal: AbortSignal): Promise<boolean | 'served'> {
    const { deployments, state } = this.deps;
    const existing = await deployments.get(dep.model);
    if (signal.aborted) return false;
    let owned: boolean | 'served';
    if (this.deps.backend === 'openai-compatible') owned = existing === null ? true : false;
    else if (existing !== null && existing.status !== 'failed' && existing.status !== 'cancelled') owned = false;
    else if (existing === null && (await deployments.listServedModels()).includes(dep.model)) owned = 'served';
    else owned = true;
    if (signal.aborted) return false;
    state.updateDeployment(dep.model, { owned: owned === true, status: 'deploying' }, this.now());
    if (owned !== true) this.logger.log(`${dep.model} is already served by the platform: used as it is`);
    return owned;
  }

  private specOf(dep: DeploymentRow): DeploymentSpec {
    const first = this.holders(dep.model)[0];
    const spec: DeploymentSpec = { model: dep.model, gpus: dep.gpus };
    if (first?.imageTag) spec.tag = first.imageTag;
    // NIM for LLMs reads its context window from NIM_MAX_MODEL_LEN (the blueprint ignored context_length, §10.18).
    if (first?.contextLength) spec.additionalEnvs = { NIM_MAX_MODEL_LEN: String(first.contextLength) };
    return spec;
  }

  // --- helpers ------------------------------------------------------------------------------------------------

  private holders(model: string): Lease[] {
    return this.deps.state.liveLeases().filter((l) => l.model === model && HOLDING.includes(l.state));
  }

  private report(): void {
    const { state } = this.deps;
    const queued = state.liveLeases().filter((l) => l.state === 'queued' && l.releaseReason === null);
    this.deps.observer?.state?.({
      gpusInUse: gpusInUse(state.deployments()),
      gpuCapacity: this.settings.capacity.gpus,
      queueLength: queued.length,
      leases: state.leaseCounts(),
    });
  }

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }
}

/** Runs the worker's work for a lease inside the lease's run trace (see the header). */
function inLease<R>(lease: Lease, fn: () => R): R {
  return withRunTrace(lease.runId, fn, lease.traceparent);
}

/** Runs a deployment's work inside the trace of the run whose lease made it (outside any trace if unknown). */
function inDeployment<R>(dep: DeploymentRow, fn: () => R): R {
  return dep.runId === null ? withoutTrace(fn) : withRunTrace(dep.runId, fn, dep.traceparent);
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
