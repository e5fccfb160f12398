// Thin handlers: each records intent in the state store (one statement or transaction), wakes the worker and commits.
// Nothing here waits on the platform, so a deployment taking minutes never holds a Kafka partition.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import {
  Topics,
  type CandidateDeployRequestedV1,
  type CandidateFinishedV1,
  type RunCancelRequestedV1,
  type RunCancelledV1,
  type RunCompletedV1,
  type RunDeletedV1,
  type RunFailedV1,
} from '@flywheel/contracts';
import { gpusFor, type CapacitySettings } from '../leases/capacity';
import { type ReleaseReason } from '../leases/lease-model';
import { type DeployerStateStore } from '../state/deployer-state-store';
import { DEPLOYER_STATE } from '../tokens';
import { DeployerWorker, type DeployerCatalogue } from '../worker/deployer-worker';

const OnFlywheelEvent = onEventFor<DeployerCatalogue>();

export const CAPACITY_SETTINGS = Symbol('deployer.capacity-settings');

@Injectable()
export class DeployerEventsHandler {
  private readonly logger = new Logger('Deployer');

  public constructor(
    @Inject(DEPLOYER_STATE) private readonly state: DeployerStateStore,
    @Inject(DeployerWorker) private readonly worker: DeployerWorker,
    @Inject(CAPACITY_SETTINGS) private readonly capacity: CapacitySettings,
  ) {}

  @OnFlywheelEvent(Topics.candidateDeployRequestedV1)
  public onDeployRequested(event: CandidateDeployRequestedV1): Outcome {
    const ended = this.state.endedBefore(event.run_id, event.model_name);
    if (ended !== null) {
      const who = ended.what === 'run' ? `run ${event.run_id}` : `${event.model_name} of run ${event.run_id}`;
      return Outcome.skipped(`${who} already ended (${ended.reason}): nothing to deploy`);
    }
    const result = this.state.recordRequest(
      {
        runId: event.run_id,
        model: event.model_name,
        role: event.role,
        gpus: gpusFor(event.model_name, event.gpus, this.capacity),
        contextLength: event.context_length,
        imageTag: event.image_tag,
      },
      event.occurred_at,
    );
    if (!result.recorded) {
      return Outcome.skipped(`lease of ${event.model_name} for run ${event.run_id} already ${result.existing.state}`);
    }
    this.logger.log(`${event.run_id}: deploy of ${event.model_name} (${event.role}) queued`);
    this.worker.wake();
    return Outcome.processed();
  }

  @OnFlywheelEvent(Topics.candidateFinishedV1)
  public onCandidateFinished(event: CandidateFinishedV1): Outcome {
    const result = this.state.markRelease(event.run_id, event.model_name, event.status, event.occurred_at);
    if (result !== 'marked') {
      return Outcome.skipped(`lease of ${event.model_name} for run ${event.run_id}: ${result.replace('-', ' ')}`);
    }
    this.worker.wake();
    return Outcome.processed();
  }

  @OnFlywheelEvent(Topics.runCancelRequestedV1)
  public onCancelRequested(event: RunCancelRequestedV1): Outcome {
    return this.endRun(event.run_id, 'cancelled', event.occurred_at, 'cancel requested');
  }

  @OnFlywheelEvent(Topics.runCancelledV1)
  public onCancelled(event: RunCancelledV1): Outcome {
    return this.endRun(event.run_id, 'cancelled', event.occurred_at, 'cancelled');
  }

  @OnFlywheelEvent(Topics.runCompletedV1)
  public onCompleted(event: RunCompletedV1): Outcome {
    return this.endRun(event.run_id, 'completed', event.occurred_at, 'completed');
  }

  @OnFlywheelEvent(Topics.runFailedV1)
  public onFailed(event: RunFailedV1): Outcome {
    return this.endRun(event.run_id, 'failed', event.occurred_at, 'failed');
  }

  @OnFlywheelEvent(Topics.runDeletedV1)
  public onDeleted(event: RunDeletedV1): Outcome {
    return this.endRun(event.run_id, 'cancelled', event.occurred_at, 'deleted');
  }

  private endRun(runId: string, reason: ReleaseReason, at: number, what: string): Outcome {
    const { marked } = this.state.endRun(runId, reason, at);
    if (marked === 0) return Outcome.skipped(`run ${runId} ${what}: no lease of it left to release`);
    this.logger.log(`${runId}: ${what}; releasing ${marked} lease(s)`);
    this.worker.wake();
    return Outcome.processed();
  }
}
