// `npx tsx services/evaluator-driver/src/main.ts`: the evaluator-driver as a process. Configuration comes from the
// environment (see the README's table); against `npm run kafka` and `npm run simulator` the defaults need no
// settings at all.
import { telemetry } from './instrument';
import 'reflect-metadata';
import { runMain, startHttpService } from '@flywheel/service-kit';
import { evaluatorEnv, loadEvaluatorConfig } from './config/evaluator-config';
import { EvaluatorDriverModule, SERVICE_NAME } from './evaluator-driver.module';

runMain(SERVICE_NAME, async () => {
  const config = loadEvaluatorConfig(process.env);
  await startHttpService(EvaluatorDriverModule.forRoot(config), {
    name: SERVICE_NAME,
    host: config.http.host,
    port: config.http.port,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    handleSignals: true,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: () => telemetry.shutdown(),
    configSummary: evaluatorEnv.describe(process.env),
  });
});
