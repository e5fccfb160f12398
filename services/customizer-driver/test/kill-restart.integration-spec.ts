// The kill test of issue 8 for this service: `main.ts` as its own process on the embedded broker and registry, the
// platform simulator in the test process. SIGKILL mid-training, start it again: the new process re-attaches to the
// same platform job from the state file, and the run gets exactly one started and one completed event.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { catalogue, Topics } from '@flywheel/contracts';
import { startKafkaTestStack, type KafkaTestStack } from '@flywheel/dev-stack';
import {
  collectCustomizations,
  datasetsBuilt,
  runRequested,
  startSim,
  uploadTrainDataset,
  waitFor,
  type Sim,
} from './driver-fixtures';

const MAIN = resolve(__dirname, '../src/main.ts');

let stack: KafkaTestStack<typeof catalogue>;
let sim: Sim;
let dir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  Logger.overrideLogger(['error', 'warn']); // the probe's bus logs every record at debug
});

beforeEach(async () => {
  stack = await startKafkaTestStack(catalogue);
  sim = await startSim({ delays: { customizationStepMs: 200 } });
  dir = mkdtempSync(join(tmpdir(), 'customizer-driver-kill-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  await sim.sim.stop();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startDriver(): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    stdio: 'pipe',
    cwd: resolve(__dirname, '..', '..', '..'),
    env: {
      HTTP_PORT: '0',
      // Its short session: a killed member's session expires quickly, so the restarted one gets the partitions.
      ...stack.serviceEnv(),
      NEMO_BASE_URL: sim.sim.url,
      PLATFORM_POLL_INTERVAL_MS: '50',
      CUSTOMIZER_STATE_PATH: join(dir, 'state.db'),
      CUSTOMIZER_WORKER_INTERVAL_MS: '100',
      CUSTOMIZER_PROGRESS_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : void child.once('exit', () => r()),
  );
}

describe('customizer-driver process: SIGKILL mid-training and restart', () => {
  it('re-attaches to the same job and completes it once', async () => {
    await uploadTrainDataset(sim.platform, 'run-kill');
    const seen = await collectCustomizations(stack);
    const first = startDriver();
    // 2 epochs × ⌈48 / 4⌉ = 24 steps of 200 ms: long enough to kill the process in the middle.
    await stack.publish(
      Topics.runRequestedV1,
      runRequested('run-kill', {
        training: { training_type: null, finetuning_type: null, epochs: null, batch_size: 4, learning_rate: null },
      }),
    );
    await stack.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-kill'));
    await waitFor('training under way', () => seen.progress.some((p) => p.step >= 1), 60_000).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\ndriver output:\n${first.output()}`);
    });
    first.child.kill('SIGKILL');
    await exited(first.child);
    const [job] = [...sim.sim.state.customizationJobs.values()];
    expect(job?.status).toBe('running');

    const second = startDriver();
    await waitFor('customization.completed', () => seen.completed.length === 1, 60_000).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\ndriver output:\n${second.output()}`);
    });
    expect(sim.sim.state.customizationJobs.size).toBe(1);
    expect(seen.started).toHaveLength(1);
    expect(seen.completed[0]).toMatchObject({
      job_id: seen.started[0]?.job_id,
      customized_model_name: seen.started[0]?.output_model_name,
      steps_completed: 24,
    });
  });
});
