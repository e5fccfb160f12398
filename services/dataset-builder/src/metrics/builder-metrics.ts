// The builder's Prometheus metrics, in the app's registry (service label added by the service kit).
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';
import { type BuildObserver } from '../build/build-datasets';
import { type BuildQueueObserver } from '../build/build-queue-worker';

export class BuilderMetrics implements BuildObserver, BuildQueueObserver {
  /** Builds by outcome: built, failed, cancelled, replayed (a redelivered request answered from stored events). */
  public readonly builds: Counter<'outcome'>;
  public readonly failures: Counter<'code'>;
  public readonly buildSeconds: Histogram;
  public readonly recordsRead: Histogram;
  /** Dataset files written, or left alone because the stored file was already identical (a rebuild). */
  public readonly uploads: Counter<'result'>;
  public readonly attemptsRetried: Counter;
  /** Run requests taken off the bus and not yet settled (in hand or waiting). */
  public readonly queuedBuilds: Gauge;

  public constructor(metrics: ServiceMetrics) {
    this.builds = metrics.counter({
      name: 'flywheel_dataset_builds_total',
      help: 'Dataset builds by outcome (built, failed, cancelled, replayed)',
      labelNames: ['outcome'],
    });
    this.failures = metrics.counter({
      name: 'flywheel_dataset_build_failures_total',
      help: 'Failed dataset builds by error code',
      labelNames: ['code'],
    });
    this.buildSeconds = metrics.histogram({
      name: 'flywheel_dataset_build_seconds',
      help: 'Duration of a successful dataset build (read, curate, upload)',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    });
    this.recordsRead = metrics.histogram({
      name: 'flywheel_dataset_build_records_read',
      help: 'Log records read per build',
      buckets: [10, 50, 100, 500, 1000, 5000, 10000, 20000, 50000],
    });
    this.uploads = metrics.counter({
      name: 'flywheel_dataset_uploads_total',
      help: 'Dataset files uploaded, or unchanged on a rebuild',
      labelNames: ['result'],
    });
    this.attemptsRetried = metrics.counter({
      name: 'flywheel_dataset_build_retries_total',
      help: 'Build attempts that hit a transient error and were retried',
    });
    this.queuedBuilds = metrics.gauge({
      name: 'flywheel_dataset_builds_queued',
      help: 'Run requests queued for a build and not yet settled (being built or waiting for room)',
    });
  }

  public built(r: { records: number; uploads: number; skippedUploads: number; durationMs: number }): void {
    this.builds.inc({ outcome: 'built' });
    this.buildSeconds.observe(r.durationMs / 1000);
    this.recordsRead.observe(r.records);
    this.uploads.inc({ result: 'uploaded' }, r.uploads);
    this.uploads.inc({ result: 'unchanged' }, r.skippedUploads);
  }

  public queued(count: number): void {
    this.queuedBuilds.set(count);
  }

  public retried(): void {
    this.attemptsRetried.inc();
  }

  public failed(code: string): void {
    this.builds.inc({ outcome: 'failed' });
    this.failures.inc({ code });
  }

  public cancelled(): void {
    this.builds.inc({ outcome: 'cancelled' });
  }

  public replayed(): void {
    this.builds.inc({ outcome: 'replayed' });
  }
}
