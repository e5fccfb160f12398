// Thin bus handler: a workload's logs-ingested event goes to the run triggers (a no-op for workloads without one).
// A store error is thrown, so the bus retries it (bounded, then dead-lettered with the reason).
import { Inject, Injectable } from '@nestjs/common';
import { onEventFor, Outcome } from '@flywheel/bus';
import { Topics, type LogsIngestedV1 } from '@flywheel/contracts';
import { type FlywheelCatalogue } from '../projection/run-projection';
import { RunTriggers } from '../triggers/run-triggers';

const On = onEventFor<FlywheelCatalogue>();

@Injectable()
export class TriggerHandler {
  public constructor(@Inject(RunTriggers) private readonly triggers: RunTriggers) {}

  @On(Topics.logsIngestedV1)
  public async logsIngested(e: LogsIngestedV1): Promise<Outcome> {
    const decisions = await this.triggers.onLogsIngested(e);
    if (decisions.some((d) => d.kind === 'started')) return Outcome.processed();
    const reasons = decisions.flatMap((d) => (d.kind === 'started' ? [] : [d.reason]));
    return Outcome.skipped(reasons.length === 0 ? 'no run trigger for this workload' : reasons.join('; '));
  }
}
