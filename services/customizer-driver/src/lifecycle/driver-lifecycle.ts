// Start-up, readiness and shutdown. The worker starts once the app is up (and resumes polling the jobs recorded in
// the state file); readiness names each dependency: the state file, the worker loop, the Customizer (one lookup of a
// job id no one uses, through the port). Shutdown: the worker stops polling (platform jobs keep running and are
// re-attached by the next process), then the state file closes.
import {
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { PlatformNotFoundError, PlatformUnsupportedError, type CustomizationClient } from '@flywheel/platform-clients';
import { type HealthRegistry } from '@flywheel/service-kit';
import { type CustomizationStateStore } from '../state/customization-state-store';
import { type CustomizationWorker } from '../worker/customization-worker';

export interface LifecycleParts {
  readonly state: CustomizationStateStore;
  readonly worker: CustomizationWorker;
  readonly customization: CustomizationClient;
  readonly health: HealthRegistry;
  /** Whether this module opened the state file (and so closes it). */
  readonly ownsState: boolean;
  readonly probeTimeoutMs?: number;
}

/** A job id nothing creates: looking it up proves the Customizer answers without touching real jobs. */
const PROBE_JOB_ID = 'flywheel-readiness-probe';

export class DriverLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  public constructor(private readonly p: LifecycleParts) {}

  public onModuleInit(): void {
    this.p.health.addReadinessCheck('state', () => {
      const ok = this.p.state.ping();
      return { ok, detail: ok ? 'open' : 'not answering' };
    });
    this.p.health.addReadinessCheck('worker', () => {
      const ok = this.p.worker.isRunning();
      return { ok, detail: ok ? `running, ${this.p.worker.activeJobs()} job(s) in flight` : 'stopped' };
    });
    this.p.health.addReadinessCheck(
      'customizer',
      async () => {
        try {
          await this.p.customization.getJob(PROBE_JOB_ID);
          return { ok: true, detail: 'answers' };
        } catch (err) {
          if (err instanceof PlatformNotFoundError) return { ok: true, detail: 'answers' };
          if (err instanceof PlatformUnsupportedError) {
            return { ok: true, detail: 'this backend cannot fine-tune: customizations fail with UNSUPPORTED' };
          }
          throw err;
        }
      },
      this.p.probeTimeoutMs ?? 5000,
    );
  }

  public onApplicationBootstrap(): void {
    this.p.worker.start();
  }

  public async onModuleDestroy(): Promise<void> {
    await this.p.worker.stop();
  }

  public onApplicationShutdown(): void {
    if (this.p.ownsState) this.p.state.close();
  }
}
