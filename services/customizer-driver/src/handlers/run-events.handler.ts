// Thin Nest handlers: record what an event means in the state file, wake the worker, commit. Nothing long runs
// here (creating and polling jobs is the worker's), so a handler never holds up its partition.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import {
  Topics,
  type CandidateFinishedV1,
  type DatasetsBuiltV1,
  type RunCancelledV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
  type RunFailedV1,
  type RunRequestedV1,
} from '@flywheel/contracts';
import { type FlywheelCatalogue } from '../customization/events';
import { DriverMetrics } from '../metrics/driver-metrics';
import { CustomizationWorker } from '../worker/customization-worker';
import { RecordIntents, type Recorded } from './record-intents';

const OnFlywheelEvent = onEventFor<FlywheelCatalogue>();

@Injectable()
export class RunEventsHandler {
  private readonly logger = new Logger('CustomizerDriver');

  public constructor(
    @Inject(RecordIntents) private readonly intents: RecordIntents,
    @Inject(CustomizationWorker) private readonly worker: CustomizationWorker,
    @Inject(DriverMetrics) private readonly metrics: DriverMetrics,
  ) {}

  @OnFlywheelEvent(Topics.runRequestedV1)
  public onRunRequested(e: RunRequestedV1): Outcome {
    return this.done(Topics.runRequestedV1, e.run_id, this.intents.runRequested(e));
  }

  @OnFlywheelEvent(Topics.datasetsBuiltV1)
  public onDatasetsBuilt(e: DatasetsBuiltV1): Outcome {
    return this.done(Topics.datasetsBuiltV1, e.run_id, this.intents.datasetsBuilt(e));
  }

  @OnFlywheelEvent(Topics.runCancelRequestedV1)
  public onCancelRequested(e: RunCancelRequestedV1): Outcome {
    return this.done(Topics.runCancelRequestedV1, e.run_id, this.intents.cancelRequested(e));
  }

  @OnFlywheelEvent(Topics.runCancelledV1)
  public onRunCancelled(e: RunCancelledV1): Outcome {
    return this.done(Topics.runCancelledV1, e.run_id, this.intents.cancelled(e));
  }

  @OnFlywheelEvent(Topics.runFailedV1)
  public onRunFailed(e: RunFailedV1): Outcome {
    return this.done(Topics.runFailedV1, e.run_id, this.intents.failed(e));
  }

  @OnFlywheelEvent(Topics.runDeletedV1)
  public onRunDeleted(e: RunDeletedV1): Outcome {
    return this.done(Topics.runDeletedV1, e.run_id, this.intents.deleted(e));
  }

  @OnFlywheelEvent(Topics.candidateFinishedV1)
  public onCandidateFinished(e: CandidateFinishedV1): Outcome {
    return this.done(Topics.candidateFinishedV1, e.run_id, this.intents.candidateFinished(e));
  }

  private done(topic: string, runId: string, r: Recorded): Outcome {
    if (!r.changed) return Outcome.skipped(r.note);
    this.metrics.events.inc({ topic });
    this.logger.debug(`run ${runId}: ${r.note}`);
    this.worker.wake();
    return Outcome.processed();
  }
}
