// GET /metrics: the application's registry in the Prometheus text format.
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';
import { ServiceMetrics } from './service-metrics';

@Controller()
export class MetricsController {
  public constructor(@Inject(ServiceMetrics) private readonly metrics: ServiceMetrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  public metricsText(): Promise<string> {
    return this.metrics.text();
  }
}
