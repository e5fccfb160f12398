// The bus's consumers as Prometheus metrics, the same names in every service: what an operator scales by (lag per
// group and partition), how long handlers take, and what became of each record (dead letters included).
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type BusObserver, type DeliveryOutcome } from '@flywheel/bus';
import { type ServiceMetrics } from './service-metrics';

export class BusMetrics implements BusObserver {
  /** Records of a partition after the last one its group handled, as of the group's last batch from it. */
  public readonly lagRecords: Gauge<'group' | 'topic' | 'partition'>;
  public readonly handlerSeconds: Histogram<'group' | 'topic' | 'outcome'>;
  /** Records by outcome: processed, skipped, dead-letter, abandoned (left uncommitted, delivered again). */
  public readonly handled: Counter<'group' | 'topic' | 'outcome'>;

  public constructor(metrics: ServiceMetrics) {
    this.lagRecords = metrics.gauge({
      name: 'flywheel_consumer_lag_records',
      help: "Records behind the partition's end for this consumer group, after its last batch",
      labelNames: ['group', 'topic', 'partition'],
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
}
