// Model platform calls as Prometheus metrics, the same names in every service that talks to the platform (NeMo
// microservices, NIM, OpenAI-compatible endpoints, the Data Store): latency by call and outcome, errors by kind,
// and retries. Services pass it as the observer of createPlatform(config, { observer }).
import { type Counter, type Histogram } from 'prom-client';
import { type PlatformCallEvent, type PlatformObserver } from '@flywheel/platform-clients';
import { type ServiceMetrics } from './service-metrics';

export class PlatformMetrics implements PlatformObserver {
  /** One observation per call, retries and body validation included; outcome is ok or the error kind. */
  public readonly requestSeconds: Histogram<'call' | 'outcome'>;
  /** Failed calls by kind: http-4xx, http-5xx, http-other, timeout, network, response, aborted, error. */
  public readonly requestErrors: Counter<'call' | 'kind'>;
  /** Requests sent again after a retryable failure (attempts beyond the first). */
  public readonly retries: Counter<'call'>;

  public constructor(metrics: ServiceMetrics) {
    this.requestSeconds = metrics.histogram({
      name: 'flywheel_platform_request_duration_seconds',
      help: 'Time of one model platform call (retries included), by call and outcome (ok or error kind)',
      labelNames: ['call', 'outcome'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    });
    this.requestErrors = metrics.counter({
      name: 'flywheel_platform_request_errors_total',
      help: 'Failed model platform calls by call and kind (http-4xx, http-5xx, timeout, network, response, aborted)',
      labelNames: ['call', 'kind'],
    });
    this.retries = metrics.counter({
      name: 'flywheel_platform_request_retries_total',
      help: 'Model platform requests sent again after a retryable failure',
      labelNames: ['call'],
    });
  }

  public callEnded(e: PlatformCallEvent): void {
    this.requestSeconds.observe({ call: e.call, outcome: e.outcome }, e.seconds);
    if (e.outcome !== 'ok') this.requestErrors.inc({ call: e.call, kind: e.outcome });
    if (e.attempts > 1) this.retries.inc({ call: e.call }, e.attempts - 1);
  }
}
