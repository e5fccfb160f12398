// Start-up, readiness and shutdown. The worker starts once the app is up (resuming jobs from the state file) and
// stops before the state file closes; open platform jobs are left running for the next process to resume.
// Readiness names each dependency: the state file, and the evaluation service (one cheap lookup of a job id no
// evaluation uses: "not found" proves it answers).
import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { PlatformNotFoundError, type EvaluationClient } from '@flywheel/platform-clients';
import { type HealthRegistry } from '@flywheel/service-kit';
import { type EvaluationWorker } from '../evaluation/evaluation-worker';
import { type EvaluationStateStore } from '../state/evaluation-state-store';

export interface LifecycleParts {
  readonly state: EvaluationStateStore;
  readonly worker: EvaluationWorker;
  readonly evaluation: EvaluationClient;
  readonly health: HealthRegistry;
  /** Whether this module opened the state file (and so closes it). */
  readonly ownsState: boolean;
  readonly probeTimeoutMs?: number;
}

const PROBE_JOB = 'flywheel-readiness-probe';

export class EvaluatorLifecycle
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('EvaluatorDriver');

  public constructor(private readonly p: LifecycleParts) {}

  public onModuleInit(): void {
    this.p.health.addReadinessCheck('state', () => {
      const ok = this.p.state.ping();
      return { ok, detail: ok ? 'open' : 'not answering' };
    });
    this.p.health.addReadinessCheck(
      'evaluator',
      async () => {
        try {
          await this.p.evaluation.getJob(PROBE_JOB);
        } catch (err) {
          if (!(err instanceof PlatformNotFoundError)) throw err;
        }
        return { ok: true, detail: 'answers' };
      },
      this.p.probeTimeoutMs ?? 5000,
    );
  }

  public onApplicationBootstrap(): void {
    this.p.worker.start();
    this.logger.log('evaluation worker started');
  }

  public async onModuleDestroy(): Promise<void> {
    await this.p.worker.stop();
  }

  public onApplicationShutdown(): void {
    if (this.p.ownsState) this.p.state.close();
  }
}
