// `npx tsx services/results-aggregator/src/main.ts`: the results-aggregator as a process (jobs API on :8000).
// Configuration comes from the environment (README's table); against `npm run kafka` the defaults need no settings.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { AggregatorModule, SERVICE_NAME } from './aggregator.module';
import { aggregatorEnv, loadAggregatorConfig } from './config/aggregator-config';

runMain(SERVICE_NAME, async () => {
  const config = loadAggregatorConfig(process.env);
  await startHttpService(AggregatorModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: aggregatorEnv.describe(process.env),
  });
});
