// `npx tsx services/dataset-builder/src/main.ts`: the dataset-builder as a process. Configuration comes from the
// environment (see the README's table); against `npm run kafka` and `npm run simulator` the defaults need no
// settings at all.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { builderEnv, loadBuilderConfig } from './config/builder-config';
import { DatasetBuilderModule, SERVICE_NAME } from './dataset-builder.module';

runMain(SERVICE_NAME, async () => {
  const config = loadBuilderConfig(process.env);
  await startHttpService(DatasetBuilderModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: builderEnv.describe(process.env),
  });
});
