// The ingester's Prometheus metrics, all in the app's registry (service label added by the service kit).
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';

export class IngesterMetrics {
  /** Records durably in the store after a write (new or already there), per source. */
  public readonly stored: Counter<'source'>;
  /** Records new to the store, per workload: what "logs ingested" events count. */
  public readonly inserted: Counter<'workload_id'>;
  /** Records the store already had (a redelivery or a retried request). */
  public readonly duplicates: Counter;
  /** Records refused (HTTP lines answered with an error, Kafka records dead-lettered), per source and reason. */
  public readonly rejected: Counter<'source' | 'reason'>;
  /** Kafka records written to the dead-letter topic, per `dlq-reason`. */
  public readonly deadLetters: Counter<'reason'>;
  public readonly redactions: Counter<'detector'>;
  /** Latency of one store append (one workload's share of a batch). */
  public readonly appendSeconds: Histogram<'outcome'>;
  public readonly appendRecords: Histogram;
  public readonly bufferedRecords: Gauge;
  public readonly bufferedBytes: Gauge;
  public readonly logsIngestedEvents: Counter<'outcome'>;

  public constructor(metrics: ServiceMetrics) {
    this.stored = metrics.counter({
      name: 'flywheel_log_records_stored_total',
      help: 'Log records durably in the store after a write (new or already stored), by source',
      labelNames: ['source'],
    });
    this.inserted = metrics.counter({
      name: 'flywheel_log_records_ingested_total',
      help: 'Log records new to the store, by workload',
      labelNames: ['workload_id'],
    });
    this.duplicates = metrics.counter({
      name: 'flywheel_log_records_duplicate_total',
      help: 'Log records the store already had (redeliveries, retried requests)',
    });
    this.rejected = metrics.counter({
      name: 'flywheel_log_records_rejected_total',
      help: 'Log records refused, by source and reason',
      labelNames: ['source', 'reason'],
    });
    this.deadLetters = metrics.counter({
      name: 'flywheel_log_dead_letters_total',
      help: 'Kafka records sent to the dead-letter topic, by dlq-reason',
      labelNames: ['reason'],
    });
    this.redactions = metrics.counter({
      name: 'flywheel_pii_redactions_total',
      help: 'PII replacements made before storing, by detector',
      labelNames: ['detector'],
    });
    this.appendSeconds = metrics.histogram({
      name: 'flywheel_log_store_append_seconds',
      help: 'Latency of one log store append',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.appendRecords = metrics.histogram({
      name: 'flywheel_log_store_append_records',
      help: 'Records per log store append',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    });
    this.bufferedRecords = metrics.gauge({
      name: 'flywheel_log_writer_buffered_records',
      help: 'Records accepted but not yet durable in the store',
    });
    this.bufferedBytes = metrics.gauge({
      name: 'flywheel_log_writer_buffered_bytes',
      help: 'Bytes of records accepted but not yet durable in the store',
    });
    this.logsIngestedEvents = metrics.counter({
      name: 'flywheel_logs_ingested_events_total',
      help: '"logs ingested" events, by outcome (published, failed)',
      labelNames: ['outcome'],
    });
  }
}
