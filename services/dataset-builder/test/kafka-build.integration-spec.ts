// The builder as it runs in production, from its env config: kafkajs against the embedded broker and schema registry,
// a SQLite log store file, the file-backed dataset store of the OpenAI-compatible backend. A run request in, the
// events out on Kafka, the files on disk; then a restart and a redelivered request answered with the same event ids.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, Topics } from '@flywheel/contracts';
import { startKafkaTestStack, type KafkaTestStack } from '@flywheel/dev-stack';
import { FileDatasetStore } from '@flywheel/platform-clients';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { createLogStore } from '@flywheel/stores';
import { loadBuilderConfig, type BuilderConfig } from '../src/config/builder-config';
import { DatasetBuilderModule } from '../src/dataset-builder.module';
import { appendFixture, runRequested, TOOL_ROUTER } from './builder-fixtures';

let stack: KafkaTestStack<typeof catalogue>;
let dir: string;
let service: HttpService | undefined;

beforeEach(async () => {
  stack = await startKafkaTestStack(catalogue);
  dir = mkdtempSync(join(tmpdir(), 'dataset-builder-'));
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): BuilderConfig {
  return loadBuilderConfig({
    HTTP_PORT: '0',
    ...stack.serviceEnv(),
    BUILDER_RETRY_BACKOFF_BASE_MS: '50',
    BUILDER_RETRY_BACKOFF_MAX_MS: '500',
    BUILDER_STATE_PATH: join(dir, 'state', 'builder.db'),
    LOG_STORE_SQLITE_PATH: join(dir, 'logs.db'),
    PLATFORM_BACKEND: 'openai-compatible',
    DATASETS_DIR: join(dir, 'datasets'),
    LOG_LEVEL: 'error',
  });
}

async function start(c: BuilderConfig): Promise<HttpService> {
  return startHttpService(DatasetBuilderModule.forRoot(c, { defaultMetrics: false }), {
    name: 'dataset-builder',
    host: '127.0.0.1',
    port: 0,
    logLevels: ['error'],
  });
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dataset-builder on Kafka (embedded broker and registry)', () => {
  it('builds from the log store file, publishes on Kafka, and answers a redelivery after a restart with the same ids', async () => {
    const c = config();
    const logs = createLogStore({ kind: 'sqlite', path: join(dir, 'logs.db') });
    await logs.connect();
    await appendFixture(logs, TOOL_ROUTER.file);
    await logs.close();

    service = await start(c);
    const seen = await stack.collect({
      started: Topics.runStartedV1,
      built: Topics.datasetsBuiltV1,
      deploys: Topics.candidateDeployRequestedV1,
    });
    const request = runRequested({ run_id: 'run-kafka', requested_at: Date.now(), occurred_at: Date.now() });
    await stack.publish(Topics.runRequestedV1, request);

    await waitFor('three deploy requests', () => seen.deploys.length === 3);
    expect(seen.started.map((e) => e.run_id)).toEqual(['run-kafka']);
    const built = seen.built[0];
    expect(built?.eval.record_count).toBe(20);
    expect(built?.eval.uri).toMatch(/^file:\/\//);
    const files = new FileDatasetStore(join(dir, 'datasets'));
    const evalText = await files.downloadFile({ namespace: 'dfwbp', name: built?.eval.name ?? '' }, 'eval_data.jsonl');
    expect(evalText?.split('\n')).toHaveLength(20);

    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);

    // Restart (same state file), then the same request again, as after an uncommitted offset.
    await service.close();
    service = await start(c);
    await stack.publish(Topics.runRequestedV1, request);
    await waitFor('the re-published datasets.built', () => seen.built.length === 2);
    await waitFor('the re-published deploy requests', () => seen.deploys.length === 6);
    expect(seen.built[1]?.event_id).toBe(built?.event_id);
    expect(seen.deploys.slice(3).map((d) => d.event_id)).toEqual(seen.deploys.slice(0, 3).map((d) => d.event_id));
    // run.started is not part of the stored final events: not repeated.
    expect(seen.started).toHaveLength(1);
  });
});
