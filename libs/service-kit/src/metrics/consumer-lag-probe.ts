// Keeps flywheel_consumer_lag_records current for consumers that receive no batches (paused, stuck, or holding a
// batch back while a store is down): every interval it asks each lag source of the service (its bus, a batch
// consumer) for the lag from the broker's committed offsets. A probe that fails or times out is counted and logged
// once per failure streak; the gauge keeps its last value and the service carries on.
import { z } from 'zod';
import { ConsumerLagError, type ConsumerLagSource } from '@flywheel/bus';
import { type BusMetrics } from './bus-metrics';

export const consumerLagProbeSchema = z.object({
  /** How often lag is read from the broker. */
  intervalMs: z.number().int().positive().default(10_000),
  /** Longest one probe of one source may take (every admin request included). */
  timeoutMs: z.number().int().positive().default(5_000),
});

export type ConsumerLagProbeOptions = z.input<typeof consumerLagProbeSchema>;

export interface ProbeLogger {
  log(message: string): void;
  warn(message: string): void;
}

export class ConsumerLagProbe {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failing = false;
  private stopped = false;

  public constructor(
    private readonly sources: () => readonly ConsumerLagSource[],
    private readonly metrics: BusMetrics,
    private readonly logger: ProbeLogger,
    options: ConsumerLagProbeOptions = {},
  ) {
    const o = consumerLagProbeSchema.parse(options);
    this.intervalMs = o.intervalMs;
    this.timeoutMs = o.timeoutMs;
  }

  /** Probes now, then every interval (the timer does not keep the process alive). */
  public start(): void {
    if (this.timer !== undefined || this.stopped) return;
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a probe in flight. */
  public async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One probe of every source; never rejects. A probe already in flight is joined, not doubled. */
  public probe(): Promise<void> {
    this.running ??= this.probeAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probeAll(): Promise<void> {
    const results = await Promise.allSettled(this.sources().map((s) => s.consumerLag({ timeoutMs: this.timeoutMs })));
    const errors: string[] = [];
    for (const r of results) {
      if (r.status === 'fulfilled') {
        for (const p of r.value) this.metrics.lag(p);
        continue;
      }
      this.metrics.lagProbeFailed(r.reason instanceof ConsumerLagError ? r.reason.kind : 'error');
      errors.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
    }
    if (this.stopped) return; // a probe cut off by shutdown is no news
    if (errors.length > 0 && !this.failing) {
      this.logger.warn(`consumer lag probe failed; lag metrics keep their last values: ${errors.join('; ')}`);
    } else if (errors.length === 0 && this.failing) {
      this.logger.log('consumer lag probe recovered');
    }
    this.failing = errors.length > 0;
  }
}
