// Thin Nest handlers: map a run event to the use case and the use case's result to a bus outcome.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { onEventFor, Outcome, type EventMeta } from '@flywheel/bus';
import { Topics, type RunCancelRequestedV1, type RunDeletedV1, type RunRequestedV1 } from '@flywheel/contracts';
import { BuildDatasets, type FlywheelCatalogue } from '../build/build-datasets';
import { DeleteRunDatasets } from '../build/delete-run-datasets';
import { BuilderMetrics } from '../metrics/builder-metrics';
import { type RunStateStore } from '../state/run-state-store';
import { CONTROL_GROUP_ID, RUN_STATE } from '../tokens';

const OnFlywheelEvent = onEventFor<FlywheelCatalogue>();

@Injectable()
export class RunEventsHandler {
  private readonly logger = new Logger('DatasetBuilder');

  public constructor(
    @Inject(BuildDatasets) private readonly build: BuildDatasets,
    @Inject(RUN_STATE) private readonly state: RunStateStore,
    @Inject(BuilderMetrics) private readonly metrics: BuilderMetrics,
    @Inject(DeleteRunDatasets) private readonly deleteRun: DeleteRunDatasets,
  ) {}

  @OnFlywheelEvent(Topics.runRequestedV1)
  public async onRunRequested(event: RunRequestedV1, meta: EventMeta): Promise<Outcome> {
    try {
      const result = await this.build.execute(event, meta.signal);
      switch (result.kind) {
        case 'built':
          this.logger.log(`run ${event.run_id}: datasets built (${result.uploads} files uploaded)`);
          return Outcome.processed();
        case 'failed':
          this.logger.warn(`run ${event.run_id}: dataset build failed: ${result.error.message}`);
          return Outcome.processed();
        case 'cancelled':
          this.logger.log(`run ${event.run_id}: cancelled before ${result.stage}; stopped`);
          return Outcome.skipped(`run cancelled before ${result.stage}`);
        case 'replayed':
          return Outcome.skipped(`already ${result.outcome}: stored events re-published`);
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (meta.attempt < meta.maxAttempts) {
        this.metrics.attemptsRetried.inc();
        this.logger.warn(`run ${event.run_id}: attempt ${meta.attempt}/${meta.maxAttempts} failed: ${reason}`);
        return Outcome.retryLater(reason);
      }
      // Out of attempts: fail the run visibly (retryable) instead of leaving it `running` behind a dead letter.
      this.logger.error(`run ${event.run_id}: giving up after ${meta.attempt} attempts: ${reason}`);
      await this.build.fail(event, err);
      return Outcome.processed();
    }
  }

  @OnFlywheelEvent(Topics.runCancelRequestedV1, { groupId: CONTROL_GROUP_ID })
  public onCancelRequested(event: RunCancelRequestedV1): Outcome {
    this.state.markCancelled(event.run_id, event.occurred_at);
    return Outcome.processed();
  }

  /** Throws on a platform error: the bus retries, and dead-letters the event (with the reason) after the last attempt. */
  @OnFlywheelEvent(Topics.runDeletedV1, { groupId: CONTROL_GROUP_ID })
  public async onRunDeleted(event: RunDeletedV1): Promise<Outcome> {
    const names = await this.deleteRun.execute(event);
    this.logger.log(`run ${event.run_id} deleted: removed datasets ${names.join(', ')}`);
    return Outcome.processed();
  }
}
