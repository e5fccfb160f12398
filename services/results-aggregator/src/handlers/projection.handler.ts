// Thin bus handlers: each event goes to its RunProjection method; "applied" commits, "ignored" commits as skipped
// (a repeat, a late event, an unknown run), and an exception is retried by the bus (bounded, then dead-lettered).
// Every event also tells the stall detector that its run is alive.
import { Inject, Injectable } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import {
  Topics,
  type CandidateDeployedV1,
  type CandidateDeployFailedV1,
  type CandidateDeployRequestedV1,
  type CandidateReleasedV1,
  type CustomizationCompletedV1,
  type CustomizationFailedV1,
  type CustomizationProgressV1,
  type CustomizationStartedV1,
  type DatasetsBuiltV1,
  type DatasetsFailedV1,
  type EvaluationCompletedV1,
  type EvaluationFailedV1,
  type EvaluationProgressV1,
  type EvaluationStartedV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
  type RunFailedV1,
  type RunRequestedV1,
  type RunStartedV1,
  type StageProgressV1,
} from '@flywheel/contracts';
import { type FlywheelCatalogue, type ProjectionResult, RunProjection } from '../projection/run-projection';
import { StallDetector } from '../projection/stall-detector';

const On = onEventFor<FlywheelCatalogue>();

/** Every topic the aggregator consumes (BusModule fails the boot if one has no handler). */
export const CONSUMED_TOPICS = [
  Topics.runRequestedV1,
  Topics.runStartedV1,
  Topics.runCancelRequestedV1,
  Topics.runFailedV1,
  Topics.runDeletedV1,
  Topics.stageProgressV1,
  Topics.datasetsBuiltV1,
  Topics.datasetsFailedV1,
  Topics.candidateDeployRequestedV1,
  Topics.candidateDeployedV1,
  Topics.candidateDeployFailedV1,
  Topics.candidateReleasedV1,
  Topics.customizationStartedV1,
  Topics.customizationProgressV1,
  Topics.customizationCompletedV1,
  Topics.customizationFailedV1,
  Topics.evaluationStartedV1,
  Topics.evaluationProgressV1,
  Topics.evaluationCompletedV1,
  Topics.evaluationFailedV1,
  // Handled by TriggerHandler (run triggers), in the same consumer group.
  Topics.logsIngestedV1,
] as const;

@Injectable()
export class ProjectionHandler {
  public constructor(
    @Inject(RunProjection) private readonly projection: RunProjection,
    @Inject(StallDetector) private readonly stalls: StallDetector,
  ) {}

  private async apply(runId: string, result: Promise<ProjectionResult>): Promise<Outcome> {
    this.stalls.seen(runId);
    const r = await result;
    return r.kind === 'applied' ? Outcome.processed() : Outcome.skipped(r.reason);
  }

  @On(Topics.runRequestedV1)
  public runRequested(e: RunRequestedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.runRequested(e));
  }

  @On(Topics.runStartedV1)
  public runStarted(e: RunStartedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.runStarted(e));
  }

  @On(Topics.runCancelRequestedV1)
  public cancelRequested(e: RunCancelRequestedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.cancelRequested(e));
  }

  @On(Topics.runFailedV1)
  public runFailed(e: RunFailedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.runFailed(e));
  }

  @On(Topics.runDeletedV1)
  public runDeleted(e: RunDeletedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.runDeleted(e));
  }

  @On(Topics.stageProgressV1)
  public stageProgress(e: StageProgressV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.stageProgress(e));
  }

  @On(Topics.datasetsBuiltV1)
  public datasetsBuilt(e: DatasetsBuiltV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.datasetsBuilt(e));
  }

  @On(Topics.datasetsFailedV1)
  public datasetsFailed(e: DatasetsFailedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.datasetsFailed(e));
  }

  @On(Topics.candidateDeployRequestedV1)
  public deployRequested(e: CandidateDeployRequestedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.deployRequested(e));
  }

  @On(Topics.candidateDeployedV1)
  public deployed(e: CandidateDeployedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.deployed(e));
  }

  @On(Topics.candidateDeployFailedV1)
  public deployFailed(e: CandidateDeployFailedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.deployFailed(e));
  }

  @On(Topics.candidateReleasedV1)
  public released(e: CandidateReleasedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.released(e));
  }

  @On(Topics.customizationStartedV1)
  public customizationStarted(e: CustomizationStartedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.customizationStarted(e));
  }

  @On(Topics.customizationProgressV1)
  public customizationProgress(e: CustomizationProgressV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.customizationProgress(e));
  }

  @On(Topics.customizationCompletedV1)
  public customizationCompleted(e: CustomizationCompletedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.customizationCompleted(e));
  }

  @On(Topics.customizationFailedV1)
  public customizationFailed(e: CustomizationFailedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.customizationFailed(e));
  }

  @On(Topics.evaluationStartedV1)
  public evaluationStarted(e: EvaluationStartedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.evaluationStarted(e));
  }

  @On(Topics.evaluationProgressV1)
  public evaluationProgress(e: EvaluationProgressV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.evaluationProgress(e));
  }

  @On(Topics.evaluationCompletedV1)
  public evaluationCompleted(e: EvaluationCompletedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.evaluationCompleted(e));
  }

  @On(Topics.evaluationFailedV1)
  public evaluationFailed(e: EvaluationFailedV1): Promise<Outcome> {
    return this.apply(e.run_id, this.projection.evaluationFailed(e));
  }
}
