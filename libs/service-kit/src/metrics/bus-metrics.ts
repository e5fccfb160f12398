// The bus's consumers as Prometheus metrics, the same names in every service: what an operator scales by (lag per
// group and partition), how long handlers take, and what became of each record (dead letters included).
// Lag is group-wide (committed offsets), so every replica of a service reports the same value: aggregate with max.
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type BusObserver, type ConsumerLagErrorKind, type DeliveryOutcome } from '@flywheel/bus';
import { type ServiceMetrics } from './service-metrics';

export class BusMetrics implements BusObserver {
  /** Records of a partition after its group's committed offset: probed periodically and updated after each batch. */
  public readonly lagRecords: Gauge<'group' | 'topic' | 'partition'>;
  /** Lag probes that failed (the gauge then keeps its last value). */
  public readonly lagProbeErrors: Counter<'kind'>;
  public readonly handlerSeconds: Histogram<'group' | 'topic' | 'outcome'>;
  /** Records by outcome: processed, skipped, dead-letter, abandoned (left uncommitted, delivered again). */
  public readonly handled: Counter<'group' | 'topic' | 'outcome'>;

  public constructor(metrics: ServiceMetrics) {
    this.lagRecords = metrics.gauge({
      name: 'flywheel_consumer_lag_records',
      help: "Records behind the partition's end for this consumer group (committed offset; probed, and after each batch)",
      labelNames: ['group', 'topic', 'partition'],
    });
    this.lagProbeErrors = metrics.counter({
      name: 'flywheel_consumer_lag_probe_errors_total',
      help: 'Consumer lag probes that failed, by kind (timeout, broker, error); the lag gauge keeps its last value',
      labelNames: ['kind'],
    });
    this.handlerSeconds = metrics.histogram({
      name: 'flywheel_handler_duration_seconds',
      help: 'Time from decode to outcome of one record, retries included',
      labelNames: ['group', 'topic', 'outcome'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 60, 300],
    });
    this.handled = metrics.counter({
      name: 'flywheel_events_handled_total',
      help: 'Consumed records by outcome (processed, skipped, dead-letter, abandoned)',
      labelNames: ['group', 'topic', 'outcome'],
    });
  }

  public delivered(e: { topic: string; groupId: string; outcome: DeliveryOutcome; seconds: number }): void {
    const labels = { group: e.groupId, topic: e.topic, outcome: e.outcome };
    this.handled.inc(labels);
    this.handlerSeconds.observe(labels, e.seconds);
  }

  public lag(e: { topic: string; groupId: string; partition: number; records: number }): void {
    this.lagRecords.set({ group: e.groupId, topic: e.topic, partition: String(e.partition) }, e.records);
  }

  public lagProbeFailed(kind: ConsumerLagErrorKind | 'error'): void {
    this.lagProbeErrors.inc({ kind });
  }
}
