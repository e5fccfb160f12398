// The driver's Prometheus metrics, in the app's registry (service label added by the service kit).
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';
import { type WorkerObserver } from '../worker/customization-worker';

export class DriverMetrics implements WorkerObserver {
  public readonly jobsCreated: Counter;
  /** Customizations by how they ended: completed, failed, cancelled. */
  public readonly customizations: Counter<'outcome'>;
  public readonly failures: Counter<'code'>;
  public readonly jobSeconds: Histogram;
  public readonly inFlight: Gauge;
  public readonly retries: Counter<'step'>;
  public readonly events: Counter<'topic'>;

  public constructor(metrics: ServiceMetrics) {
    this.jobsCreated = metrics.counter({
      name: 'flywheel_customization_jobs_created_total',
      help: 'Customization jobs created on the platform',
    });
    this.customizations = metrics.counter({
      name: 'flywheel_customizations_total',
      help: 'Customizations by outcome (completed, failed, cancelled)',
      labelNames: ['outcome'],
    });
    this.failures = metrics.counter({
      name: 'flywheel_customization_failures_total',
      help: 'Failed or cancelled customizations by error code',
      labelNames: ['code'],
    });
    this.jobSeconds = metrics.histogram({
      name: 'flywheel_customization_job_seconds',
      help: 'Wall time of a customization job, creation to its end',
      buckets: [1, 10, 30, 60, 300, 600, 1800, 3600, 7200, 14_400, 28_800],
    });
    this.inFlight = metrics.gauge({
      name: 'flywheel_customization_jobs_in_flight',
      help: 'Customization jobs being created or polled by this process',
    });
    this.retries = metrics.counter({
      name: 'flywheel_customization_platform_retries_total',
      help: 'Platform steps retried after a transient failure (create, cancel, delete-model)',
      labelNames: ['step'],
    });
    this.events = metrics.counter({
      name: 'flywheel_customizer_events_recorded_total',
      help: 'Inbound events recorded by the handlers, by topic',
      labelNames: ['topic'],
    });
  }

  public jobCreated(): void {
    this.jobsCreated.inc();
  }

  public finished(outcome: 'completed' | 'failed' | 'cancelled', code: string | null, durationMs: number | null): void {
    this.customizations.inc({ outcome });
    if (code !== null) this.failures.inc({ code });
    if (durationMs !== null) this.jobSeconds.observe(durationMs / 1000);
  }

  public activeJobs(n: number): void {
    this.inFlight.set(n);
  }

  public platformRetry(step: 'create' | 'cancel' | 'delete-model'): void {
    this.retries.inc({ step });
  }
}
