// The driver as it runs in production, from its env config: kafkajs against the embedded broker and schema
// registry, the NeMo adapters against the platform simulator, a state file on disk. The inputs go in on Kafka in the
// "wrong" order (deployment before datasets), the evaluation events come out on Kafka; health and metrics over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaEventBus, Outcome } from '@flywheel/bus';
import {
  catalogue,
  Topics,
  type EvaluationCompletedV1,
  type EvaluationFailedV1,
  type EvaluationStartedV1,
} from '@flywheel/contracts';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { startPlatformSimulator, type PlatformSimulator } from '@flywheel/platform-simulator';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { loadEvaluatorConfig } from '../src/config/evaluator-config';
import { EvaluatorDriverModule } from '../src/evaluator-driver.module';
import {
  candidateDeployed,
  datasetsBuilt,
  deploy,
  M1,
  nemoPlatform,
  uploadDatasets,
  waitFor,
} from './evaluator-fixtures';

let kafka: EmbeddedKafka;
let registry: EmbeddedSchemaRegistry;
let sim: PlatformSimulator;
let dir: string;
let service: HttpService | undefined;
let probe: KafkaEventBus<typeof catalogue> | undefined;

beforeEach(async () => {
  kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  registry = await startEmbeddedSchemaRegistry();
  sim = await startPlatformSimulator({ delays: { evaluationSampleMs: 5 } });
  dir = mkdtempSync(join(tmpdir(), 'evaluator-kafka-'));
});

afterEach(async () => {
  await service?.close();
  await probe?.close();
  service = undefined;
  probe = undefined;
  await sim.stop();
  await registry.stop();
  await kafka.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  started: EvaluationStartedV1[];
  completed: EvaluationCompletedV1[];
  failed: EvaluationFailedV1[];
}

async function startProbe(): Promise<Seen> {
  const seen: Seen = { started: [], completed: [], failed: [] };
  probe = new KafkaEventBus<typeof catalogue>({
    catalogue,
    kafka: { brokers: kafka.bootstrapServers, clientId: 'probe', logLevel: 'nothing' },
    schemaRegistry: { url: registry.url },
    groupId: 'probe',
    consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
  });
  probe.subscribe(Topics.evaluationStartedV1, (e) => (seen.started.push(e), Outcome.processed()));
  probe.subscribe(Topics.evaluationCompletedV1, (e) => (seen.completed.push(e), Outcome.processed()));
  probe.subscribe(Topics.evaluationFailedV1, (e) => (seen.failed.push(e), Outcome.processed()));
  await probe.start();
  return seen;
}

describe('evaluator-driver on Kafka (embedded broker and registry, platform simulator)', () => {
  it('evaluates base and ICL from events on Kafka and publishes the results there', async () => {
    const platform = nemoPlatform(sim.url);
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-kafka');
    const config = loadEvaluatorConfig({
      HTTP_PORT: '0',
      KAFKA_BROKERS: kafka.bootstrapServers.join(','),
      SCHEMA_REGISTRY_URL: registry.url,
      KAFKA_CONNECTION_TIMEOUT_MS: '1000',
      KAFKA_REQUEST_TIMEOUT_MS: '5000',
      KAFKA_SESSION_TIMEOUT_MS: '3000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '100',
      KAFKA_MAX_WAIT_MS: '100',
      KAFKA_LOG_LEVEL: 'nothing',
      NEMO_BASE_URL: sim.url,
      PLATFORM_POLL_INTERVAL_MS: '20',
      EVALUATOR_TICK_INTERVAL_MS: '50',
      EVALUATOR_STATE_PATH: join(dir, 'state', 'evaluator.db'),
      LOG_LEVEL: 'error',
    });
    service = await startHttpService(EvaluatorDriverModule.forRoot(config, { defaultMetrics: false }), {
      name: 'evaluator-driver',
      host: '127.0.0.1',
      port: 0,
      logLevels: ['error'],
    });
    const seen = await startProbe();

    await probe?.publish(Topics.candidateDeployedV1, candidateDeployed('run-kafka', M1));
    await probe?.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-kafka'));
    await waitFor('two evaluation.completed', () => seen.completed.length === 2, 45_000);

    expect(seen.failed).toEqual([]);
    expect(seen.started.map((e) => e.eval_type).sort()).toEqual(['base', 'icl']);
    for (const e of seen.completed) {
      expect(e).toMatchObject({ run_id: 'run-kafka', model_name: M1, sample_count: 20 });
      expect(e.scores.function_name_and_args_accuracy).toBeGreaterThanOrEqual(0);
      expect(seen.started.find((s) => s.eval_type === e.eval_type)?.job_id).toBe(e.job_id);
    }

    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(Object.keys(body.checks).sort()).toEqual(['evaluator', 'state']);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    for (const type of ['base', 'icl']) {
      expect(metrics).toMatch(
        new RegExp(`flywheel_evaluations_total\\{[^}]*eval_type="${type}",outcome="completed"[^}]*\\} 1`),
      );
    }
  });
});
