// GET /health/live and GET /health/ready: 200 with the report when every check passes, 503 with the same report
// (each check's detail) otherwise. Probes read only the status code; people read the body.
import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthRegistry, type HealthReport } from './health-registry';

@Controller('health')
export class HealthController {
  public constructor(@Inject(HealthRegistry) private readonly health: HealthRegistry) {}

  @Get('live')
  @HttpCode(200)
  public async live(): Promise<HealthReport> {
    return answer(await this.health.live());
  }

  @Get('ready')
  @HttpCode(200)
  public async ready(): Promise<HealthReport> {
    return answer(await this.health.ready());
  }
}

function answer(report: HealthReport): HealthReport {
  if (report.status !== 'ok') throw new ServiceUnavailableException(report);
  return report;
}
