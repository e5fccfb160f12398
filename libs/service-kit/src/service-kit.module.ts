// The parts every flywheel service shares, as one global Nest module: the health registry and its endpoints, and
// the service's Prometheus registry and /metrics, including the bus's consumer metrics (lag, handler time, outcomes).
import { Module, type DynamicModule } from '@nestjs/common';
import { BUS_OBSERVER } from '@flywheel/bus';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { BusMetrics } from './metrics/bus-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ServiceMetrics, type ServiceMetricsOptions } from './metrics/service-metrics';

export type ServiceKitOptions = ServiceMetricsOptions;

@Module({})
export class ServiceKitModule {
  public static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: HealthRegistry, useFactory: () => new HealthRegistry() },
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics(options) },
        // The Kafka bus reports delivery outcomes and consumer lag here (BusModule injects it when present).
        { provide: BUS_OBSERVER, useFactory: (m: ServiceMetrics) => new BusMetrics(m), inject: [ServiceMetrics] },
      ],
      exports: [HealthRegistry, ServiceMetrics, BUS_OBSERVER],
    };
  }
}
