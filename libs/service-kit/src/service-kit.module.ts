// The parts every flywheel service shares, as one global Nest module: the health registry and its endpoints, and
// the service's Prometheus registry and /metrics.
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
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
      ],
      exports: [HealthRegistry, ServiceMetrics],
    };
  }
}
