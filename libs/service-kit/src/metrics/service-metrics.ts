// Prometheus metrics through prom-client, one registry per application (never the global one: two apps in one
// process, as in tests, must not share or clash). Services create their metrics here; GET /metrics serves them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetricsOptions {
  /** Added as a `service` label to every metric. */
  readonly serviceName: string;
  /** Process metrics (CPU, memory, event-loop lag, GC); on by default. */
  readonly defaultMetrics?: boolean;
}

interface MetricSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

export class ServiceMetrics {
  public readonly registry = new Registry();

  public constructor(options: ServiceMetricsOptions) {
    this.registry.setDefaultLabels({ service: options.serviceName });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  public counter<L extends string = never>(spec: MetricSpec<L>): Counter<L> {
    return new Counter<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [this.registry] });
  }

  public gauge<L extends string = never>(spec: MetricSpec<L> & { collect?: (this: Gauge<L>) => void }): Gauge<L> {
    return new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [this.registry] });
  }

  public histogram<L extends string = never>(spec: MetricSpec<L> & { buckets?: number[] }): Histogram<L> {
    return new Histogram<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [this.registry] });
  }

  /** The exposition text, as served on /metrics. */
  public text(): Promise<string> {
    return this.registry.metrics();
  }
}
