// Start-up, readiness and shutdown. The worker starts (reconcile, then passes) in the background once the app is up,
// so probes are answered meanwhile; a platform that is down at boot makes the service "not ready", never a crash
// loop. Shutdown: the bus stops consuming first (its own hook), then the worker stops its tasks (deployments stay;
// the next start re-attaches), then the state file closes.
import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type DeploymentClient } from '@flywheel/platform-clients';
import { type HealthRegistry, retryUntil } from '@flywheel/service-kit';
import { type DeployerStateStore } from '../state/deployer-state-store';
import { type DeployerWorker } from '../worker/deployer-worker';

export interface LifecycleParts {
  readonly worker: DeployerWorker;
  readonly state: DeployerStateStore;
  readonly deployments: DeploymentClient;
  readonly health: HealthRegistry;
  readonly retry: { readonly backoffBaseMs: number; readonly backoffMaxMs: number };
  /** Whether this module opened the state store (and so closes it). */
  readonly ownsState: boolean;
  readonly probeTimeoutMs?: number;
}

export class DeployerLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Deployer');
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private started = false;

  public constructor(private readonly p: LifecycleParts) {}

  public onModuleInit(): void {
    this.p.health.addReadinessCheck('deployer-state', () => {
      const ok = this.p.state.ping();
      return { ok, detail: ok ? 'open' : 'not answering' };
    });
    this.p.health.addReadinessCheck(
      'platform',
      async () => {
        const served = await this.p.deployments.listServedModels();
        return { ok: true, detail: `answers (${served.length} models served)` };
      },
      this.p.probeTimeoutMs ?? 5000,
    );
    this.p.health.addReadinessCheck('worker', () => ({
      ok: this.started,
      detail: this.started ? 'running' : 'reconciling with the platform',
    }));
  }

  public onApplicationBootstrap(): void {
    this.starting = this.startWorker().catch((err: unknown) => {
      this.logger.error(`start-up stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Resolves once the start-up reconcile is done (tests); start-up never blocks the app's boot. */
  public whenStarted(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  public async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    await this.p.worker.stop();
  }

  public onApplicationShutdown(): void {
    if (this.p.ownsState) this.p.state.close();
  }

  private async startWorker(): Promise<void> {
    // The first reconcile needs the platform: a lookup proves it answers before anything is decided.
    const reachable = await retryUntil(
      async () => {
        await this.p.deployments.listServedModels();
        return true;
      },
      {
        ...this.p.retry,
        signal: this.stopping.signal,
        onFailure: (attempt, err, wait) =>
          this.logger.warn(
            `platform: attempt ${attempt} failed (${err instanceof Error ? err.message : String(err)}); ` +
              `trying again in ${wait} ms`,
          ),
      },
    );
    if (reachable !== true) return;
    await this.p.worker.start();
    this.started = true;
    this.logger.log('worker started: state reconciled with the platform');
  }
}
