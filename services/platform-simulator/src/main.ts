// Standalone NeMo platform simulator: `npm run simulator -- --help`.
import { telemetry } from './instrument';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type CliFlags, SimulatorConfigError, loadCliConfig } from './cli-config';
import { startPlatformSimulator } from './platform-simulator';
import { SimulatorDataError } from './state/data-dir';

async function main(): Promise<void> {
  const program = new Command()
    .name('platform-simulator')
    .description('NeMo platform simulator for offline rehearsal and tests (simulated models, not real ones)')
    .option('--host <host>', 'interface to bind (env SIMULATOR_HOST)')
    .option('--port <port>', 'port, 0 for any free one (env SIMULATOR_PORT, default 8080)')
    .option('--seed <seed>', 'seed of the simulated answers (env SIMULATOR_SEED)')
    .option('--gpus <n>', 'GPU capacity (env SIMULATOR_GPUS, default 8)')
    .option('--serve <model...>', 'extra models served on /v1 without a deployment')
    .option('--latency-scale <x>', 'fraction of the simulated latency actually slept')
    .option('--learn <jsonl...>', 'log files whose teacher answers the simulated models know (besides uploads)')
    .option('--fast', 'no lifecycle delays (as in tests)')
    .option(
      '--delays <json>',
      'lifecycle delays in ms: {"deploymentMs","jobStartMs","customizationStepMs","evaluationSampleMs"}',
    )
    .option('--data-dir <dir>', 'keep state across restarts in this dir (env SIMULATOR_DATA_DIR; default: memory only)')
    .parse();
  const opts = program.opts<CliFlags & { learn?: string[] }>();
  const teacherAnswers = (opts.learn ?? []).map((file) => readFileSync(file, 'utf8'));
  const sim = await startPlatformSimulator(loadCliConfig({ ...opts, teacherAnswers }));
  console.log(`platform simulator listening on ${sim.url}`);
  console.log(`  NeMo base URLs (nemo, nim, datastore): ${sim.url}   OpenAI-compatible: ${sim.url}/v1`);
  console.log(`  state: ${opts.dataDir ?? 'in memory only (--data-dir to keep it across restarts)'}`);
  console.log('  a simulator for offline rehearsal and tests, not a model');
  const shutdown = (): void => {
    sim
      .stop()
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  // Known problems (bad flags, a locked or damaged data dir, a busy port) in one line; anything else in full.
  const known = err instanceof SimulatorConfigError || err instanceof SimulatorDataError;
  const busy = err instanceof Error && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error((known || busy) && err instanceof Error ? `platform simulator: ${err.message}` : err);
  process.exit(1);
});
