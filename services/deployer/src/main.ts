// `npx tsx services/deployer/src/main.ts`: the deployer as a process. Configuration comes from the environment (see
// the README's table); against `npm run kafka` and `npm run simulator` the defaults need no settings at all.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { deployerEnv, loadDeployerConfig } from './config/deployer-config';
import { DeployerModule, SERVICE_NAME } from './deployer.module';

runMain(SERVICE_NAME, async () => {
  const config = loadDeployerConfig(process.env);
  await startHttpService(DeployerModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: deployerEnv.describe(process.env),
  });
});
