// @flywheel/results-aggregator: the jobs API and the run read model (for the CLI's and tests' wiring).
export { AggregatorModule, SERVICE_NAME, type AggregatorOverrides } from './aggregator.module';
export { aggregatorEnv, loadAggregatorConfig, type AggregatorConfig } from './config/aggregator-config';
export { type ApiErrorBody } from './jobs/api-error';
export { type JobDetailResponse, type JobsListResponse } from './jobs/job-views';
