// `npx tsx services/customizer-driver/src/main.ts`: the customizer-driver as a process. Configuration comes from the
// environment (see the README's table); against `npm run kafka` and `npm run simulator` the defaults need no
// settings at all.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { driverEnv, loadDriverConfig } from './config/driver-config';
import { CustomizerDriverModule, SERVICE_NAME } from './customizer-driver.module';

runMain(SERVICE_NAME, async () => {
  const config = loadDriverConfig(process.env);
  await startHttpService(CustomizerDriverModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: driverEnv.describe(process.env),
  });
});
