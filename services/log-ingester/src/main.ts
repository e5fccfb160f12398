// `npx tsx services/log-ingester/src/main.ts`: the log-ingester as a process. Configuration comes from the
// environment (see the README's table); against `npm run kafka` the defaults need no settings at all.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { ingesterEnv, loadIngesterConfig } from './config/ingester-config';
import { IngesterModule, SERVICE_NAME } from './ingester.module';

runMain(SERVICE_NAME, async () => {
  const config = loadIngesterConfig(process.env);
  await startHttpService(IngesterModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    // POST /v1/logs reads raw bytes: sizes, UTF-8 and line numbers are judged on what was sent.
    bodyParser: false,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: ingesterEnv.describe(process.env),
  });
});
