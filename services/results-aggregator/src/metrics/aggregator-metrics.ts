// The aggregator's Prometheus metrics, in the app's registry (service label added by the service kit).
import { type Counter } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';
import { type ProjectionObserver } from '../projection/run-projection';

export class AggregatorMetrics implements ProjectionObserver {
  /** Runs this process saw reach a final status (each run counted once: the store's first terminal state wins). */
  public readonly runs: Counter<'status'>;

  public constructor(metrics: ServiceMetrics) {
    this.runs = metrics.counter({
      name: 'flywheel_runs_total',
      help: 'Flywheel runs that reached a final status (completed, failed, cancelled)',
      labelNames: ['status'],
    });
  }

  public runFinished(status: string): void {
    this.runs.inc({ status });
  }
}
