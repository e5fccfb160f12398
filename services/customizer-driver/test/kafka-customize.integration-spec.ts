// The driver as it runs in production, from its env config: kafkajs against the embedded broker and schema registry,
// the NeMo Customizer of the platform simulator (PLATFORM_BACKEND=nemo), a SQLite state file. A run request and its
// datasets in, a LoRA job on the simulator, the customization events out on Kafka; then a restart and the same
// request again → no second job.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { catalogue, Topics } from '@flywheel/contracts';
import { startKafkaTestStack, type KafkaTestStack } from '@flywheel/dev-stack';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { loadDriverConfig, type DriverConfig } from '../src/config/driver-config';
import { CustomizerDriverModule } from '../src/customizer-driver.module';
import {
  collectCustomizations,
  datasetsBuilt,
  runRequested,
  startSim,
  uploadTrainDataset,
  waitFor,
  type Sim,
} from './driver-fixtures';

let stack: KafkaTestStack<typeof catalogue>;
let sim: Sim;
let dir: string;
let service: HttpService | undefined;

beforeAll(() => {
  Logger.overrideLogger(['error', 'warn']); // the probe's bus logs every record at debug
});

beforeEach(async () => {
  stack = await startKafkaTestStack(catalogue);
  sim = await startSim({ delays: { customizationStepMs: 20 } });
  dir = mkdtempSync(join(tmpdir(), 'customizer-driver-kafka-'));
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await sim.sim.stop();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): DriverConfig {
  return loadDriverConfig({
    HTTP_PORT: '0',
    ...stack.serviceEnv(),
    NEMO_BASE_URL: sim.sim.url,
    PLATFORM_POLL_INTERVAL_MS: '20',
    CUSTOMIZER_STATE_PATH: join(dir, 'state', 'customizer.db'),
    CUSTOMIZER_WORKER_INTERVAL_MS: '50',
    CUSTOMIZER_PROGRESS_INTERVAL_MS: '0',
    LOG_LEVEL: 'error',
  });
}

async function start(c: DriverConfig): Promise<HttpService> {
  return startHttpService(CustomizerDriverModule.forRoot(c, { defaultMetrics: false }), {
    name: 'customizer-driver',
    host: '127.0.0.1',
    port: 0,
    logLevels: ['error'],
  });
}

describe('customizer-driver on Kafka (embedded broker and registry) and the simulator', () => {
  it('customizes from Kafka events, publishes on Kafka, and never creates a second job after a restart', async () => {
    const c = config();
    await uploadTrainDataset(sim.platform, 'run-kafka');
    service = await start(c);
    const seen = await collectCustomizations(stack);
    const request = runRequested('run-kafka');
    await stack.publish(Topics.runRequestedV1, request);
    await stack.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-kafka'));

    await waitFor('customization.completed on Kafka', () => seen.completed.length === 1, 45_000);
    expect(seen.started).toHaveLength(1);
    expect(seen.progress.length).toBeGreaterThan(0);
    expect(seen.completed[0]).toMatchObject({
      run_id: 'run-kafka',
      job_id: seen.started[0]?.job_id,
      customized_model_name: seen.started[0]?.output_model_name,
      steps_completed: 6,
    });
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);

    // Restart over the same state file, then the request again (as after an uncommitted offset).
    await service.close();
    service = await start(c);
    await stack.publish(Topics.runRequestedV1, request);
    await new Promise((r) => setTimeout(r, 1500));
    expect([...sim.sim.state.customizationJobs.values()]).toHaveLength(1);
    expect(seen.completed).toHaveLength(1);
  });
});
