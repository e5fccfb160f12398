// Runs started by traffic. Each `logs-ingested` event of a workload with a trigger asks: is none of its runs open,
// and are at least `min_new_records` of its records (for the trigger's client) newer than its last run's request?
// Then a run is requested through the jobs API's own path (same checks, same plan, same event). Nothing is kept
// beside the stores: "new" is read from the log store against the run store's newest run, so a redelivered event, a
// restart or a second event in a burst asks the same question and finds the run the first one started.
import { type LogsIngestedV1 } from '@flywheel/contracts';
import { isTerminal, type LogStore, type RunStore, TerminalRunStatuses } from '@flywheel/stores';
import { type RunTrigger } from '../config/aggregator-config';
import { ApiError } from '../jobs/api-error';
import { type Jobs } from '../jobs/jobs';

export interface TriggerLogger {
  log(message: string): void;
  warn(message: string): void;
}

export type TriggerDecision =
  | { readonly kind: 'started'; readonly runId: string }
  | { readonly kind: 'waiting'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

export interface TriggerDeps {
  readonly triggers: readonly RunTrigger[];
  readonly runs: RunStore;
  readonly logs: LogStore;
  readonly jobs: Pick<Jobs, 'create'>;
  readonly logger?: TriggerLogger;
}

export class RunTriggers {
  public constructor(private readonly deps: TriggerDeps) {}

  /** One decision per trigger of the event's workload and clients (none when the workload has no trigger). */
  public async onLogsIngested(event: LogsIngestedV1): Promise<TriggerDecision[]> {
    const matching = this.deps.triggers.filter(
      (t) => t.workload_id === event.workload_id && event.client_ids.includes(t.client_id),
    );
    const decisions: TriggerDecision[] = [];
    for (const trigger of matching) decisions.push(await this.consider(trigger));
    return decisions;
  }

  private async consider(t: RunTrigger): Promise<TriggerDecision> {
    const what = `trigger ${t.workload_id}/${t.client_id}`;
    const [last] = (await this.deps.runs.listRuns({ workload_id: t.workload_id, client_id: t.client_id }, { limit: 1 }))
      .items;
    if (last !== undefined && !isTerminal(TerminalRunStatuses, last.status)) {
      return { kind: 'waiting', reason: `run ${last.id} is ${last.status}` };
    }
    // Records logged after the last run was requested (the log store's time filter is inclusive).
    const fresh = await this.deps.logs.query({
      workloadId: t.workload_id,
      clientId: t.client_id,
      ...(last === undefined ? {} : { from: last.created_at + 1 }),
      limit: t.min_new_records,
    });
    if (fresh.length < t.min_new_records) {
      return { kind: 'waiting', reason: `${fresh.length} of ${t.min_new_records} new records` };
    }
    try {
      const created = await this.deps.jobs.create(
        { ...t.job, workload_id: t.workload_id, client_id: t.client_id },
        `trigger:${t.workload_id}`,
      );
      this.deps.logger?.log(`${what}: ${t.min_new_records}+ new records; started run ${created.id}`);
      return { kind: 'started', runId: created.id };
    } catch (err) {
      // The request itself is refused (e.g. too few valid records for the configured eval size): retrying the same
      // event would be refused again; the next logs-ingested event asks anew.
      if (err instanceof ApiError && err.code !== 'unavailable' && err.code !== 'internal') {
        this.deps.logger?.warn(`${what}: run not started: ${err.message}`);
        return { kind: 'refused', reason: err.message };
      }
      throw err;
    }
  }
}
