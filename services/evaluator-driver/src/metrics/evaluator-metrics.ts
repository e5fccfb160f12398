// The driver's Prometheus metrics, in the app's registry (service label added by the service kit).
import { type Counter, type Gauge, type Histogram } from 'prom-client';
import { type ServiceMetrics } from '@flywheel/service-kit';
import { type WorkerObserver } from '../evaluation/evaluation-worker';
import { type EvalType } from '../evaluation/evaluation-plan';

export class EvaluatorMetrics implements WorkerObserver {
  public readonly jobsStarted: Counter<'eval_type'>;
  public readonly evaluations: Counter<'eval_type' | 'outcome'>;
  public readonly durationSeconds: Histogram<'eval_type'>;
  public readonly active: Gauge;
  public readonly eventsRecorded: Counter<'event'>;

  public constructor(metrics: ServiceMetrics) {
    this.jobsStarted = metrics.counter({
      name: 'flywheel_evaluation_jobs_started_total',
      help: 'Evaluation jobs created on the platform (and announced), by evaluation type',
      labelNames: ['eval_type'],
    });
    this.evaluations = metrics.counter({
      name: 'flywheel_evaluations_total',
      help: 'Evaluations that ended, by type and outcome (completed, failed, cancelled)',
      labelNames: ['eval_type', 'outcome'],
    });
    this.durationSeconds = metrics.histogram({
      name: 'flywheel_evaluation_seconds',
      help: 'Wall time of completed evaluation jobs',
      labelNames: ['eval_type'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    });
    this.active = metrics.gauge({
      name: 'flywheel_evaluation_jobs_active',
      help: 'Evaluations being created, polled or cancelled by this process',
    });
    this.eventsRecorded = metrics.counter({
      name: 'flywheel_evaluator_events_total',
      help: 'Events recorded in the state file, by event',
      labelNames: ['event'],
    });
  }

  public started(evalType: EvalType): void {
    this.jobsStarted.inc({ eval_type: evalType });
  }

  public finished(evalType: EvalType, outcome: 'completed' | 'failed' | 'cancelled', durationMs: number | null): void {
    this.evaluations.inc({ eval_type: evalType, outcome });
    if (durationMs !== null) this.durationSeconds.observe({ eval_type: evalType }, durationMs / 1000);
  }

  public activeJobs(count: number): void {
    this.active.set(count);
  }
}
