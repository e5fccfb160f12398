// The deployer as it runs in production, from its env config: kafkajs against the embedded broker and schema
// registry, a SQLite state file, the NeMo adapter against the platform simulator. Two runs share a model over Kafka,
// the deployment is torn down after both finished; health, readiness and metrics answer over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, Topics } from '@flywheel/contracts';
import { startKafkaTestStack, type KafkaTestStack } from '@flywheel/dev-stack';
import { startPlatformSimulator, type PlatformSimulator } from '@flywheel/platform-simulator';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { loadDeployerConfig, type DeployerConfig } from '../src/config/deployer-config';
import { DeployerModule } from '../src/deployer.module';
import { candidateFinished, deployRequested, SMALL, waitFor } from './deployer-fixtures';

let stack: KafkaTestStack<typeof catalogue>;
let sim: PlatformSimulator;
let dir: string;
let service: HttpService | undefined;

beforeEach(async () => {
  stack = await startKafkaTestStack(catalogue);
  sim = await startPlatformSimulator({ gpuCapacity: 8 });
  dir = mkdtempSync(join(tmpdir(), 'deployer-kafka-'));
});

afterEach(async () => {
  await service?.close();
  service = undefined;
  await sim.stop();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(): DeployerConfig {
  return loadDeployerConfig({
    HTTP_PORT: '0',
    ...stack.serviceEnv(),
    NEMO_BASE_URL: sim.url,
    PLATFORM_POLL_INTERVAL_MS: '20',
    DEPLOYER_TICK_INTERVAL_MS: '100',
    DEPLOYER_RETRY_BACKOFF_BASE_MS: '50',
    DEPLOYER_RETRY_BACKOFF_MAX_MS: '500',
    DEPLOYER_STATE_PATH: join(dir, 'state', 'deployer.db'),
    LOG_LEVEL: 'error',
  });
}

async function start(c: DeployerConfig): Promise<HttpService> {
  return startHttpService(DeployerModule.forRoot(c, { defaultMetrics: false }), {
    name: 'deployer',
    host: '127.0.0.1',
    port: 0,
    logLevels: ['error'],
  });
}

describe('deployer on Kafka (embedded broker and registry, platform simulator)', () => {
  it('shares a deployment between two runs over Kafka and tears it down after both finished', async () => {
    service = await start(config());
    const seen = await stack.collect({ deployed: Topics.candidateDeployedV1, released: Topics.candidateReleasedV1 });
    await stack.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await stack.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', SMALL));

    await waitFor('both deployed', () => seen.deployed.length === 2, 45_000);
    // The two runs' events may sit on different partitions: whichever was granted first created the deployment.
    expect(seen.deployed.map((e) => e.reused).sort()).toEqual([false, true]);
    expect(new Set(seen.deployed.map((e) => e.deployment_id)).size).toBe(1);
    expect(seen.deployed[0]?.endpoint_url).toBe(`${sim.url}/v1`);
    expect(sim.state.deployments.size).toBe(1);

    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/flywheel_deployer_gpus_in_use\{[^}]*\} 1/);
    expect(metrics).toMatch(/flywheel_deployer_leases\{[^}]*state="active"[^}]*\} 2/);

    await stack.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL));
    await stack.publish(Topics.candidateFinishedV1, candidateFinished('run-b', SMALL));
    await waitFor('both released', () => seen.released.length === 2, 45_000);
    expect(sim.state.deployments.size).toBe(0);
    expect(seen.released.map((e) => e.reason)).toEqual(['completed', 'completed']);
  });
});
