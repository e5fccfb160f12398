// No run stays `running` forever: a run from which no event has arrived for `timeoutMs` is failed with a reason
// (a stage died without saying so). "Arrived" is the newest of what the store recorded (start, finished candidates,
// evaluations, customizations) and what this process saw since it started (progress events leave no timestamp in
// the store); after a restart the clock starts again at boot, so a restart never fails a run on the spot.
// `pending` runs are never failed (the dataset-builder may simply be busy), but a run still pending after
// `republishPendingAfterMs` has its stored request published again (same event id): the jobs API may have died
// between storing the run and publishing its request, and nothing downstream would ever hear of it. Every consumer
// of run.requested is idempotent, so a repeat of a request that did arrive changes nothing.
import { type EventPublisher } from '@flywheel/bus';
import { type RunRequestedV1, type StageV1, Topics } from '@flywheel/contracts';
import { type RunStore } from '@flywheel/stores';
import { eventIdOf } from '../ids';
import { type FlywheelCatalogue, type RunProjection } from './run-projection';

const ALL = { limit: 1000 } as const;

export interface StallDetectorDeps {
  readonly store: RunStore;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  readonly projection: RunProjection;
  /** 0 turns detection off. */
  readonly timeoutMs: number;
  /** 0 turns republishing off. */
  readonly republishPendingAfterMs?: number;
  readonly clock?: () => number;
}

export class StallDetector {
  private readonly lastSeen = new Map<string, number>();
  private readonly lastRepublished = new Map<string, number>();
  private readonly clock: () => number;
  private readonly bootAt: number;

  public constructor(private readonly deps: StallDetectorDeps) {
    this.clock = deps.clock ?? Date.now;
    this.bootAt = this.clock();
  }

  /** Called for every event of a run the aggregator handles. */
  public seen(runId: string): void {
    this.lastSeen.set(runId, this.clock());
  }

  /** Publishes again the request of every run pending for too long; returns their ids. */
  public async republishPending(): Promise<string[]> {
    const after = this.deps.republishPendingAfterMs ?? 0;
    if (after <= 0) return [];
    const now = this.clock();
    const republished: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.deps.store.listRuns({ status: 'pending' }, { limit: 100, cursor });
      for (const run of page.items) {
        const last = Math.max(run.created_at, this.lastRepublished.get(run.id) ?? 0);
        if (run.request_json === null || now - last < after) continue;
        const request = parseRequest(run.request_json);
        if (request === null) continue;
        await this.deps.publisher.publish(Topics.runRequestedV1, request);
        this.lastRepublished.set(run.id, now);
        republished.push(run.id);
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return republished;
  }

  /** Fails every stalled running run; returns their ids. */
  public async sweep(): Promise<string[]> {
    if (this.deps.timeoutMs <= 0) return [];
    const now = this.clock();
    const failed: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.deps.store.listRuns({ status: 'running' }, { limit: 100, cursor });
      for (const run of page.items) {
        const last = Math.max(
          this.bootAt,
          this.lastSeen.get(run.id) ?? 0,
          await this.storedActivity(run.id, run.started_at),
        );
        if (now - last < this.deps.timeoutMs) continue;
        await this.fail(run.id, now, last);
        failed.push(run.id);
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    for (const [id, at] of this.lastSeen) if (now - at > 2 * this.deps.timeoutMs) this.lastSeen.delete(id);
    return failed;
  }

  private async storedActivity(runId: string, startedAt: number | null): Promise<number> {
    const store = this.deps.store;
    const stamps = [startedAt ?? 0];
    for (const c of (await store.listCandidates(runId, ALL)).items) stamps.push(c.started_at ?? 0, c.finished_at ?? 0);
    for (const e of (await store.listEvaluations({ run_id: runId }, ALL)).items) stamps.push(e.finished_at ?? 0);
    for (const x of (await store.listCustomizations({ run_id: runId }, ALL)).items) stamps.push(x.finished_at ?? 0);
    return Math.max(...stamps);
  }

  private async fail(runId: string, now: number, last: number): Promise<void> {
    const stage = await this.stageOf(runId);
    const minutes = Math.round((now - last) / 6000) / 10;
    const error = {
      code: 'STALLED',
      message:
        `no event from the ${stage.replace('_', ' ')} stage for ${minutes} min (last at ${new Date(last).toISOString()}); ` +
        'a service stopped working on this run, so it is failed instead of staying running',
      retryable: true,
    };
    // Published first, as every outcome, so the stages release what they hold even if the write below is lost.
    await this.deps.publisher.publish(Topics.runFailedV1, {
      event_id: eventIdOf(runId, 'run.failed:stalled'),
      run_id: runId,
      occurred_at: now,
      stage,
      error,
    });
    await this.deps.projection.runFailed({
      event_id: eventIdOf(runId, 'stalled'),
      run_id: runId,
      occurred_at: now,
      stage,
      error,
    });
  }

  /** The stage the run was waiting on, from what is stored. */
  private async stageOf(runId: string): Promise<StageV1> {
    const store = this.deps.store;
    if ((await store.listDatasets(runId, ALL)).items.length === 0) return 'dataset_build';
    const candidates = (await store.listCandidates(runId, ALL)).items;
    if (candidates.some((c) => c.status === 'pending' || c.status === 'deploying')) return 'deployment';
    const customizations = (await store.listCustomizations({ run_id: runId }, ALL)).items;
    if (customizations.some((c) => c.status === 'pending' || c.status === 'running')) return 'customization';
    return 'evaluation';
  }
}

/** The stored request; the bus validates it again before publishing. */
function parseRequest(json: string): RunRequestedV1 | null {
  try {
    return JSON.parse(json) as RunRequestedV1;
  } catch {
    return null;
  }
}
