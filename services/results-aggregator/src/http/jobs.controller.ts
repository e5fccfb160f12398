// The jobs API routes (blueprint §5.1, prefix /api): each maps straight to a use case of Jobs.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { type JobDetailResponse, type JobsListResponse } from '../jobs/job-views';
import { type JobReport } from '../jobs/job-report';
import { Jobs, type JobActionResponse, type JobResponse, type PromoteResponse } from '../jobs/jobs';

@Controller('api/jobs')
export class JobsController {
  public constructor(@Inject(Jobs) private readonly jobs: Jobs) {}

  @Post()
  @HttpCode(200)
  public create(@Body() body: unknown): Promise<JobResponse> {
    return this.jobs.create(body ?? {});
  }

  @Get()
  public list(@Query() query: unknown): Promise<JobsListResponse> {
    return this.jobs.list(query);
  }

  @Get(':id')
  public get(@Param('id') id: string): Promise<JobDetailResponse> {
    return this.jobs.get(id);
  }

  @Get(':id/report')
  public report(@Param('id') id: string): Promise<JobReport> {
    return this.jobs.report(id);
  }

  @Post(':id/promote')
  @HttpCode(200)
  public promote(@Param('id') id: string, @Body() body: unknown): Promise<PromoteResponse> {
    return this.jobs.promote(id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  public cancel(@Param('id') id: string): Promise<JobActionResponse> {
    return this.jobs.cancel(id);
  }

  @Delete(':id')
  @HttpCode(200)
  public delete(@Param('id') id: string): Promise<JobActionResponse> {
    return this.jobs.delete(id);
  }
}
