// A process killed during createJob — after the Customizer made the job, before the driver recorded its id — must
// not leave an orphan job or fail the customization. Against the platform simulator's NeMo Customizer: the job is
// created directly (as the killed process did), the state file says a creation was in flight (or says nothing), and
// the driver re-attaches to that job — one job only — and reports its losses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics } from '@flywheel/contracts';
import { type CustomizationJob } from '@flywheel/platform-clients';
import { loadDriverConfig, type DriverConfig } from '../src/config/driver-config';
import { configSpecFor } from '../src/config/model-settings';
import { CustomizerDriverModule, SUBSCRIPTIONS } from '../src/customizer-driver.module';
import { type FlywheelCatalogue } from '../src/customization/events';
import { mergeHyperparameters } from '../src/customization/hyperparameters';
import { CustomizationStateStore } from '../src/state/customization-state-store';
import {
  datasetsBuilt,
  fastEnv,
  NAMESPACE,
  runRequested,
  SMALL,
  startSim,
  trainDatasetOf,
  TRAIN_RECORDS,
  uploadTrainDataset,
  waitFor,
  type Sim,
} from './driver-fixtures';

let dir: string;
let sim: Sim;
let config: DriverConfig;
const apps: INestApplication[] = [];

async function boot(): Promise<MemoryEventBus<FlywheelCatalogue>> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CustomizerDriverModule.forRoot(config, {
        bus: BusModule.forTesting(catalogue, { groupId: config.groupId, subscriptions: [...SUBSCRIPTIONS] }),
        customization: sim.platform.customization,
        defaultMetrics: false,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return app.get(MemoryEventBus);
}

/** What the killed process got done: the job exists at the Customizer; its id is nowhere in the state file. */
async function createJobDirectly(runId: string): Promise<CustomizationJob> {
  const merged = mergeHyperparameters(config.training, null, null);
  if (!merged.ok) throw new Error(merged.problems.join('; '));
  const h = merged.hyperparameters;
  const customization = sim.platform.customization;
  const ref = await customization.ensureConfig(configSpecFor(SMALL, config.models, h));
  return customization.createJob({
    runId,
    workloadId: 'agent.tool_router',
    baseModel: SMALL,
    config: ref,
    dataset: { namespace: NAMESPACE, name: trainDatasetOf(runId) },
    hyperparameters: h,
  });
}

const jobsOnSim = () => [...sim.sim.state.customizationJobs.values()];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'customizer-in-flight-'));
  config = loadDriverConfig(fastEnv(join(dir, 'state.db')));
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await sim.sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a creation interrupted after the Customizer made the job', () => {
  it('state "creating" at start: the driver finds the job by its output model and follows it to completion', async () => {
    sim = await startSim({ delays: { customizationStepMs: 30 } });
    await uploadTrainDataset(sim.platform, 'run-k');
    const orphan = await createJobDirectly('run-k');
    // The state file as the killed process left it: request and datasets recorded, the creation in flight.
    const state = new CustomizationStateStore(config.statePath);
    state.recordRequest({
      runId: 'run-k',
      workloadId: 'agent.tool_router',
      training: null,
      lora: null,
      models: [SMALL],
    });
    state.recordDatasets('run-k', { name: trainDatasetOf('run-k'), recordCount: TRAIN_RECORDS });
    expect(state.move({ runId: 'run-k', modelName: SMALL }, 'creating', Date.now())).toBe(true);
    state.close();

    const bus = await boot();
    await waitFor('customization.completed', () => bus.publishedTo(Topics.customizationCompletedV1).length === 1);

    expect(jobsOnSim().map((j) => j.id)).toEqual([orphan.id]); // one job: the orphan, adopted
    expect(bus.publishedTo(Topics.customizationStartedV1)).toEqual([
      expect.objectContaining({ job_id: orphan.id, output_model_name: orphan.outputModel }),
    ]);
    const [completed] = bus.publishedTo(Topics.customizationCompletedV1);
    expect(completed).toMatchObject({
      job_id: orphan.id,
      customized_model_name: orphan.outputModel,
      epochs_completed: 2,
      steps_completed: 6,
    });
    expect(bus.publishedTo(Topics.customizationFailedV1)).toEqual([]);
    // The simulator's losses reach the event: both reported, training loss below its start.
    expect(completed?.final_train_loss).toEqual(expect.any(Number));
    expect(completed?.final_val_loss).toEqual(expect.any(Number));
    expect(completed?.final_train_loss ?? 99).toBeLessThan(2);
  });

  it('state says nothing: the creation answered 409 is resolved by re-attaching to the job of this run', async () => {
    sim = await startSim({ delays: { customizationStepMs: 30 } });
    await uploadTrainDataset(sim.platform, 'run-l');
    const orphan = await createJobDirectly('run-l');
    const bus = await boot();
    await bus.publish(Topics.runRequestedV1, runRequested('run-l'));
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-l'));
    await bus.drain();
    await waitFor('customization.completed', () => bus.publishedTo(Topics.customizationCompletedV1).length === 1);
    expect(jobsOnSim().map((j) => j.id)).toEqual([orphan.id]);
    expect(bus.publishedTo(Topics.customizationCompletedV1)[0]).toMatchObject({ job_id: orphan.id });
    expect(bus.publishedTo(Topics.customizationFailedV1)).toEqual([]);
  });

  it('progress events carry the training loss, falling as training goes on', async () => {
    sim = await startSim({ delays: { customizationStepMs: 40 } });
    await uploadTrainDataset(sim.platform, 'run-m');
    const bus = await boot();
    // Small batches: 2 × ⌈48 / 4⌉ = 24 steps, so losses are logged at steps 10 and 20 along the way.
    await bus.publish(
      Topics.runRequestedV1,
      runRequested('run-m', {
        training: { training_type: null, finetuning_type: null, epochs: null, batch_size: 4, learning_rate: null },
      }),
    );
    await bus.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-m'));
    await bus.drain();
    await waitFor('customization.completed', () => bus.publishedTo(Topics.customizationCompletedV1).length === 1);
    const losses = bus
      .publishedTo(Topics.customizationProgressV1)
      .map((p) => p.train_loss)
      .filter((l): l is number => l !== null);
    expect(losses.length).toBeGreaterThan(1);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] ?? 0);
    const [completed] = bus.publishedTo(Topics.customizationCompletedV1);
    expect(completed?.final_train_loss).toBeLessThanOrEqual(losses[losses.length - 1] ?? 0);
    expect(completed?.final_val_loss).toEqual(expect.any(Number));
  });
});
