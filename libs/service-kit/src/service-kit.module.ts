// The parts every flywheel service shares, as one global Nest module: the health registry and its endpoints, and
// the service's Prometheus registry and /metrics, including the bus's consumer metrics (lag, handler time, outcomes,
// with lag probed from the broker for every consumer found in the app) and the model platform's call metrics.
import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BUS_OBSERVER } from '@flywheel/bus';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { BusMetrics } from './metrics/bus-metrics';
import { CONSUMER_LAG_OPTIONS, ConsumerLagMonitor } from './metrics/consumer-lag-monitor';
import { type ConsumerLagProbeOptions } from './metrics/consumer-lag-probe';
import { MetricsController } from './metrics/metrics.controller';
import { PlatformMetrics } from './metrics/platform-metrics';
import { ServiceMetrics, type ServiceMetricsOptions } from './metrics/service-metrics';

export interface ServiceKitOptions extends ServiceMetricsOptions {
  /** The consumer lag probe (default: every 10 s, 5 s timeout); false turns it off. */
  readonly consumerLag?: ConsumerLagProbeOptions | false;
}

@Module({})
export class ServiceKitModule {
  public static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: HealthRegistry, useFactory: () => new HealthRegistry() },
        {
          provide: ServiceMetrics,
          useFactory: () =>
            new ServiceMetrics({ serviceName: options.serviceName, defaultMetrics: options.defaultMetrics }),
        },
        { provide: BusMetrics, useFactory: (m: ServiceMetrics) => new BusMetrics(m), inject: [ServiceMetrics] },
        // The Kafka bus reports delivery outcomes and consumer lag here (BusModule injects it when present).
        { provide: BUS_OBSERVER, useExisting: BusMetrics },
        { provide: CONSUMER_LAG_OPTIONS, useValue: options.consumerLag ?? {} },
        ConsumerLagMonitor,
        // Services pass it to createPlatform(config, { observer }) for platform call latency and errors.
        {
          provide: PlatformMetrics,
          useFactory: (m: ServiceMetrics) => new PlatformMetrics(m),
          inject: [ServiceMetrics],
        },
      ],
      exports: [HealthRegistry, ServiceMetrics, BusMetrics, BUS_OBSERVER, PlatformMetrics],
    };
  }
}
