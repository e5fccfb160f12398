// Keeps one run in one trace. Stages do part of a run's work in timer-driven worker passes (polling the platform),
// outside the handler that received the run's events, so a publish there has no span of the run active and would
// start a new trace. The bus remembers, per run id, the span context of the latest record it consumed or published
// for that run in this process, and parents such a publish there (linking whatever span was active instead).
// Bounded: the oldest runs are forgotten first (a forgotten run's next publish simply starts a new trace).
import { type SpanContext } from '@opentelemetry/api';

export const DEFAULT_REMEMBERED_RUNS = 2_000;

export class RunTraceContexts {
  private readonly byRun = new Map<string, SpanContext>();

  public constructor(private readonly capacity = DEFAULT_REMEMBERED_RUNS) {}

  public remember(runId: string, spanContext: SpanContext): void {
    // Re-inserting moves the run to the young end of the Map's insertion order.
    this.byRun.delete(runId);
    this.byRun.set(runId, spanContext);
    if (this.byRun.size > this.capacity) {
      const oldest = this.byRun.keys().next();
      if (oldest.done !== true) this.byRun.delete(oldest.value);
    }
  }

  public get(runId: string): SpanContext | undefined {
    return this.byRun.get(runId);
  }

  public get size(): number {
    return this.byRun.size;
  }
}
