// Thin Nest handlers: each records what the event says in the state file (one transaction, idempotent) and wakes the
// worker; none waits for the platform. A repeat of any event changes nothing.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import {
  Topics,
  type CandidateDeployedV1,
  type CandidateFinishedV1,
  type CustomizationCompletedV1,
  type DatasetsBuiltV1,
  type RunCancelledV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
  type RunFailedV1,
} from '@flywheel/contracts';
import { EvaluationWorker, type FlywheelCatalogue } from '../evaluation/evaluation-worker';
import { EvaluatorMetrics } from '../metrics/evaluator-metrics';
import { EvaluationStateStore } from '../state/evaluation-state-store';

const OnFlywheelEvent = onEventFor<FlywheelCatalogue>();

@Injectable()
export class EvaluationEventsHandler {
  private readonly logger = new Logger('EvaluatorDriver');

  public constructor(
    @Inject(EvaluationStateStore) private readonly state: EvaluationStateStore,
    @Inject(EvaluationWorker) private readonly worker: EvaluationWorker,
    @Inject(EvaluatorMetrics) private readonly metrics: EvaluatorMetrics,
  ) {}

  @OnFlywheelEvent(Topics.datasetsBuiltV1)
  public onDatasetsBuilt(event: DatasetsBuiltV1): Outcome {
    const iclByModel = Object.fromEntries(event.icl_by_model.map((m) => [m.model_name, m.dataset.name]));
    const ready = this.state.recordDatasets(event.run_id, {
      evalDataset: event.eval.name,
      workloadType: event.workload_type,
      iclByModel,
    });
    return this.recorded('datasets.built', event.run_id, ready);
  }

  @OnFlywheelEvent(Topics.candidateDeployedV1)
  public onCandidateDeployed(event: CandidateDeployedV1): Outcome {
    if (event.role !== 'candidate') return Outcome.skipped(`deployment role ${event.role} is not evaluated`);
    const ready = this.state.recordDeployed(event.run_id, event.model_name);
    return this.recorded('candidate.deployed', event.run_id, ready);
  }

  @OnFlywheelEvent(Topics.customizationCompletedV1)
  public onCustomizationCompleted(event: CustomizationCompletedV1): Outcome {
    const ready = this.state.recordCustomized(event.run_id, event.model_name, event.customized_model_name);
    return this.recorded('customization.completed', event.run_id, ready);
  }

  @OnFlywheelEvent(Topics.runCancelRequestedV1)
  public onCancelRequested(event: RunCancelRequestedV1): Outcome {
    return this.stopped('run.cancel-requested', event.run_id, this.state.stopRun(event.run_id, 'cancelled'));
  }

  @OnFlywheelEvent(Topics.runCancelledV1)
  public onCancelled(event: RunCancelledV1): Outcome {
    return this.stopped('run.cancelled', event.run_id, this.state.stopRun(event.run_id, 'cancelled'));
  }

  @OnFlywheelEvent(Topics.runFailedV1)
  public onRunFailed(event: RunFailedV1): Outcome {
    return this.stopped('run.failed', event.run_id, this.state.stopRun(event.run_id, 'failed'));
  }

  @OnFlywheelEvent(Topics.runDeletedV1)
  public onRunDeleted(event: RunDeletedV1): Outcome {
    return this.stopped('run.deleted', event.run_id, this.state.stopRun(event.run_id, 'deleted'));
  }

  @OnFlywheelEvent(Topics.candidateFinishedV1)
  public onCandidateFinished(event: CandidateFinishedV1): Outcome {
    const open = this.state.finishCandidate(event.run_id, event.model_name);
    return this.stopped(`candidate.finished (${event.model_name})`, event.run_id, open);
  }

  private recorded(what: string, runId: string, ready: number): Outcome {
    this.metrics.eventsRecorded.inc({ event: what });
    if (ready > 0) {
      this.logger.log(`run ${runId}: ${what} → ${ready} evaluation(s) ready`);
      this.worker.wake();
    }
    return Outcome.processed();
  }

  private stopped(what: string, runId: string, open: number): Outcome {
    this.metrics.eventsRecorded.inc({ event: what.split(' ')[0] ?? what });
    if (open > 0) this.logger.log(`run ${runId}: ${what} → cancelling ${open} open evaluation(s)`);
    // Woken even with nothing open: a deletion may have jobs to delete.
    this.worker.wake();
    return Outcome.processed();
  }
}
