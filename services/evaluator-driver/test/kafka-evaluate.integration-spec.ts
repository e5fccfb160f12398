// The driver as it runs in production, from its env config: kafkajs against the embedded broker and schema
// registry, the NeMo adapters against the platform simulator, a state file on disk. The inputs go in on Kafka in the
// "wrong" order (deployment before datasets), the evaluation events come out on Kafka; health and metrics over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, Topics } from '@flywheel/contracts';
import { startKafkaTestStack, type KafkaTestStack } from '@flywheel/dev-stack';
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

let stack: KafkaTestStack<typeof catalogue>;
let sim: PlatformSimulator;
let dir: string;
let service: HttpService | undefined;

beforeEach(async () => {
  stack = await startKafkaTestStack(catalogue);
  sim = await startPlatformSimulator({ delays: { evaluationSampleMs: 5 } });
  dir = mkdtempSync(join(tmpdir(), 'evaluator-kafka-'));
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await sim.stop();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('evaluator-driver on Kafka (embedded broker and registry, platform simulator)', () => {
  it('evaluates base and ICL from events on Kafka and publishes the results there', async () => {
    const platform = nemoPlatform(sim.url);
    await deploy(platform, M1);
    await uploadDatasets(platform.datasets, 'run-kafka');
    const config = loadEvaluatorConfig({
      HTTP_PORT: '0',
      ...stack.serviceEnv(),
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
    const seen = await stack.collect({
      started: Topics.evaluationStartedV1,
      completed: Topics.evaluationCompletedV1,
      failed: Topics.evaluationFailedV1,
    });

    await stack.publish(Topics.candidateDeployedV1, candidateDeployed('run-kafka', M1));
    await stack.publish(Topics.datasetsBuiltV1, datasetsBuilt('run-kafka'));
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
