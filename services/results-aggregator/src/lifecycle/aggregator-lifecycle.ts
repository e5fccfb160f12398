// Start-up and shutdown of the stores. Both are connected in onModuleInit, before the bus starts consuming in
// onApplicationBootstrap: a handler must never meet an unconnected store (its retries would end in the DLQ). Each
// store retries its own boot (bounded, STORE_BOOT_MAX_ATTEMPTS); if that still fails the boot fails and the process
// exits non-zero for its supervisor to restart. Readiness reports both stores. Once up, running runs are checked
// for stalls every AGGREGATOR_STALL_CHECK_INTERVAL_MS. The stores close last, after the bus
// has stopped consuming (onModuleDestroy) — onApplicationShutdown runs after every onModuleDestroy.
import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type HealthRegistry } from '@flywheel/service-kit';
import { type LogStore, type RunStore, type StoreLifecycle } from '@flywheel/stores';
import { type StallDetector } from '../projection/stall-detector';

export class AggregatorLifecycle
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('ResultsAggregator');
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;

  public constructor(
    private readonly runs: RunStore,
    private readonly logs: LogStore,
    private readonly health: HealthRegistry,
    private readonly stalls: StallDetector,
    private readonly stallCheckIntervalMs: number,
  ) {}

  public async onModuleInit(): Promise<void> {
    this.health.addReadinessCheck('run-store', () => check(this.runs));
    this.health.addReadinessCheck('log-store', () => check(this.logs));
    await Promise.all([this.runs.connect(), this.logs.connect()]);
    this.logger.log(`run store (${this.runs.backend}) and log store (${this.logs.backend}) connected`);
  }

  /** The stall sweep runs in the background; a sweep that fails is logged and tried again next time. */
  public onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.stallCheckIntervalMs);
    this.sweeper.unref();
  }

  public onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const failed = await this.stalls.sweep();
      for (const id of failed) this.logger.warn(`run ${id} stalled: failed with a reason`);
      const republished = await this.stalls.republishPending();
      for (const id of republished) this.logger.warn(`run ${id} still pending: its request was published again`);
    } catch (err) {
      this.logger.error(`stall check failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.sweeping = false;
    }
  }

  public async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.runs.close(), this.logs.close()]);
  }
}

async function check(store: StoreLifecycle): Promise<{ ok: boolean; detail: string }> {
  const h = await store.health();
  return {
    ok: h.ready,
    detail: h.ready ? `${h.backend}: ready` : `${h.backend}: ${h.state}${h.lastError ? ` (${h.lastError})` : ''}`,
  };
}
