// Start-up, readiness and shutdown. The log store connects in the background (rounds of bounded attempts repeated
// with backoff: a store that is down means "not ready", never a crash loop); a run request that arrives meanwhile
// waits in the build queue. Readiness names each dependency: log store, dataset store (one
// cheap lookup through the port), the builder's own state database. Shutdown: the bus stops consuming first (its
// own hook), the build worker stops (builds in hand stay queued for the next start), then the stores close. The
// worker starts once the log store is connected, resuming the builds a previous process left queued.
import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type DatasetStore } from '@flywheel/platform-clients';
import { type HealthRegistry, retryUntil } from '@flywheel/service-kit';
import { type LogStore } from '@flywheel/stores';
import { type BuildQueueWorker } from '../build/build-queue-worker';
import { type RunStateStore } from '../state/run-state-store';

export interface LifecycleParts {
  readonly logStore: LogStore;
  readonly datasets: DatasetStore;
  readonly state: RunStateStore;
  readonly health: HealthRegistry;
  /** Started once the log store is connected (queued builds resume then); stopped first at shutdown. */
  readonly builds: BuildQueueWorker;
  readonly namespace: string;
  readonly retry: { readonly backoffBaseMs: number; readonly backoffMaxMs: number };
  /** Which of the stores this module opened (and so closes); stores passed in by a caller stay open. */
  readonly owns: { readonly logStore: boolean; readonly state: boolean };
  /** Readiness probe timeout of the dataset store lookup. */
  readonly probeTimeoutMs?: number;
}

/** A name no build writes: looking it up proves the platform answers without touching real datasets. */
const PROBE_DATASET = 'flywheel-readiness-probe';

export class BuilderLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('DatasetBuilder');
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;

  public constructor(private readonly p: LifecycleParts) {}

  public onModuleInit(): void {
    this.p.health.addReadinessCheck('log-store', async () => {
      const h = await this.p.logStore.health();
      const detail = h.ready
        ? `${h.backend}: ready`
        : `${h.backend}: ${h.state}, attempt ${h.attempts}${h.lastError === null ? '' : ` (${h.lastError})`}`;
      return { ok: h.ready, detail };
    });
    this.p.health.addReadinessCheck(
      'dataset-store',
      async () => {
        await this.p.datasets.getDataset({ namespace: this.p.namespace, name: PROBE_DATASET });
        return { ok: true, detail: 'answers' };
      },
      this.p.probeTimeoutMs ?? 5000,
    );
    this.p.health.addReadinessCheck('run-state', () => {
      const ok = this.p.state.ping();
      return { ok, detail: ok ? 'open' : 'not answering' };
    });
  }

  public onApplicationBootstrap(): void {
    this.starting = this.connectLogStore().catch((err: unknown) => {
      this.logger.error(`start-up stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Resolves once the log store is connected (tests); start-up never blocks the app's boot. */
  public whenStarted(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  public async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    // Builds in hand stop at their next stage and stay queued: the next start resumes them.
    await this.p.builds.stop();
  }

  public async onApplicationShutdown(): Promise<void> {
    if (this.p.owns.logStore) await this.p.logStore.close();
    if (this.p.owns.state) this.p.state.close();
  }

  private async connectLogStore(): Promise<void> {
    const done = await retryUntil(
      async () => {
        await Promise.race([this.p.logStore.connect(), abandoned(this.stopping.signal)]);
        return !this.stopping.signal.aborted;
      },
      {
        ...this.p.retry,
        signal: this.stopping.signal,
        onFailure: (attempt, err, delay) =>
          this.logger.warn(
            `log store: attempt ${attempt} failed (${err instanceof Error ? err.message : String(err)}); ` +
              `trying again in ${delay} ms`,
          ),
      },
    );
    if (done === true) {
      this.logger.log('log store connected');
      this.p.builds.start();
    }
  }
}

function abandoned(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
