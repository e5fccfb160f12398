// Thin Nest handlers: map a run event to the use case and the use case's result to a bus outcome. Builds themselves
// run in the build worker (build-queue-worker.ts), so a slow build never holds up the requests behind it.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import { Topics, type RunCancelRequestedV1, type RunDeletedV1, type RunRequestedV1 } from '@flywheel/contracts';
import { type FlywheelCatalogue } from '../build/build-datasets';
import { BuildQueueWorker } from '../build/build-queue-worker';
import { DeleteRunDatasets } from '../build/delete-run-datasets';
import { type RunStateStore } from '../state/run-state-store';
import { CONTROL_GROUP_ID, RUN_STATE } from '../tokens';

const OnFlywheelEvent = onEventFor<FlywheelCatalogue>();

@Injectable()
export class RunEventsHandler {
  private readonly logger = new Logger('DatasetBuilder');

  public constructor(
    @Inject(BuildQueueWorker) private readonly builds: BuildQueueWorker,
    @Inject(RUN_STATE) private readonly state: RunStateStore,
    @Inject(DeleteRunDatasets) private readonly deleteRun: DeleteRunDatasets,
  ) {}

  /** Queues the request in the state file (the offset is committed once it is there) for the build worker. */
  @OnFlywheelEvent(Topics.runRequestedV1)
  public onRunRequested(event: RunRequestedV1): Outcome {
    this.builds.enqueue(event);
    return Outcome.processed();
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
