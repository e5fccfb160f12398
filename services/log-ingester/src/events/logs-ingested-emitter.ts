// Per-workload "logs ingested" events (flywheel.log.logs-ingested.v1) for run triggers: every interval, one event per
// workload that got new records since this instance's previous event for it, with the store's total. The counts come
// from the store's own answer to each append, so redelivered records (already stored) are never counted twice.
// A failed emission keeps its counts for the next one; a crash loses only records_since_last of the open window,
// which is why the event also carries total_records.
import { randomUUID } from 'node:crypto';
import { type Logger } from '@nestjs/common';
import { type EventPublisher, type OutgoingEvent, withoutTrace } from '@flywheel/bus';
import { type LogsIngestedV1, Topics, type catalogue } from '@flywheel/contracts';
import { type LogStore } from '@flywheel/stores';
import { type IngesterMetrics } from '../metrics/ingester-metrics';
import { type AppendedGroup } from '../writer/batch-writer';

export type FlywheelCatalogue = typeof catalogue;

interface Window {
  start: number;
  count: number;
  readonly clients: Set<string>;
  newest: number;
}

export interface EmitterOptions {
  readonly intervalMs: number;
  readonly instanceId: string;
  readonly now?: () => number;
}

export class LogsIngestedEmitter {
  private readonly windows = new Map<string, Window>();
  private readonly lastEmitted = new Map<string, number>();
  private readonly startedAt: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private emitting: Promise<void> | undefined;

  public constructor(
    private readonly store: LogStore,
    private readonly publisher: EventPublisher<FlywheelCatalogue>,
    private readonly options: EmitterOptions,
    private readonly metrics: IngesterMetrics,
    private readonly logger: Pick<Logger, 'warn' | 'debug'>,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** Called by the writer after each append. */
  public record(group: AppendedGroup): void {
    if (group.inserted === 0) return;
    let w = this.windows.get(group.workloadId);
    if (w === undefined) {
      w = { start: this.lastEmitted.get(group.workloadId) ?? this.startedAt, count: 0, clients: new Set(), newest: 0 };
      this.windows.set(group.workloadId, w);
    }
    w.count += group.inserted;
    for (const c of group.clientIds) w.clients.add(c);
    w.newest = Math.max(w.newest, group.newestTimestamp);
  }

  public start(): void {
    this.timer ??= setInterval(() => void this.emit(), this.options.intervalMs);
  }

  /** Stops the timer and emits what is still counted (the shutdown path). */
  public async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.emit();
  }

  /**
   * One emission round; rounds never overlap. Each event's send span is the root of a trace of its own, which the run
   * it may trigger continues (one run, one trace): never under whatever span was active when the timer was set or
   * stop() was called, and no span around the round (it would put the runs of several workloads in one trace).
   */
  public emit(): Promise<void> {
    this.emitting ??= withoutTrace(() => this.emitRound()).finally(() => {
      this.emitting = undefined;
    });
    return this.emitting;
  }

  private async emitRound(): Promise<void> {
    if (this.windows.size === 0) return;
    const windows = new Map(this.windows);
    this.windows.clear();
    try {
      const totals = new Map((await this.store.countByWorkload()).map((c) => [c.workload_id, c.count]));
      const occurredAt = this.now();
      const events: OutgoingEvent<FlywheelCatalogue>[] = [...windows].map(([workloadId, w]) => {
        const payload: LogsIngestedV1 = {
          event_id: randomUUID(),
          workload_id: workloadId,
          occurred_at: occurredAt,
          window_start: Math.min(w.start, occurredAt),
          records_since_last: w.count,
          total_records: Math.max(totals.get(workloadId) ?? 0, w.count),
          client_ids: [...w.clients].sort(),
          newest_record_at: w.newest,
          ingester_instance: this.options.instanceId,
        };
        return { topic: Topics.logsIngestedV1, payload };
      });
      await this.publisher.publishMany(events);
      for (const workloadId of windows.keys()) this.lastEmitted.set(workloadId, occurredAt);
      this.metrics.logsIngestedEvents.inc({ outcome: 'published' }, events.length);
    } catch (err) {
      this.metrics.logsIngestedEvents.inc({ outcome: 'failed' }, windows.size);
      this.logger.warn(
        `"logs ingested" events for ${windows.size} workload(s) not published, kept for the next round: ` +
          `${err instanceof Error ? err.message : String(err)}`,
      );
      this.restore(windows);
    }
  }

  private restore(windows: Map<string, Window>): void {
    for (const [workloadId, old] of windows) {
      const current = this.windows.get(workloadId);
      if (current === undefined) {
        this.windows.set(workloadId, old);
        continue;
      }
      current.start = Math.min(current.start, old.start);
      current.count += old.count;
      for (const c of old.clients) current.clients.add(c);
      current.newest = Math.max(current.newest, old.newest);
    }
  }
}
