// The deployer as it runs in production, from its env config: kafkajs against the embedded broker and schema
// registry, a SQLite state file, the NeMo adapter against the platform simulator. Two runs share a model over Kafka,
// the deployment is torn down after both finished; health, readiness and metrics answer over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaEventBus, Outcome } from '@flywheel/bus';
import { catalogue, Topics, type CandidateDeployedV1, type CandidateReleasedV1 } from '@flywheel/contracts';
import { startEmbeddedKafka, type EmbeddedKafka } from '@flywheel/embedded-kafka';
import { startEmbeddedSchemaRegistry, type EmbeddedSchemaRegistry } from '@flywheel/embedded-schema-registry';
import { startPlatformSimulator, type PlatformSimulator } from '@flywheel/platform-simulator';
import { startHttpService, type HttpService } from '@flywheel/service-kit';
import { loadDeployerConfig, type DeployerConfig } from '../src/config/deployer-config';
import { DeployerModule } from '../src/deployer.module';
import { candidateFinished, deployRequested, SMALL, waitFor } from './deployer-fixtures';

let kafka: EmbeddedKafka;
let registry: EmbeddedSchemaRegistry;
let sim: PlatformSimulator;
let dir: string;
let service: HttpService | undefined;
let probe: KafkaEventBus<typeof catalogue> | undefined;

beforeEach(async () => {
  kafka = await startEmbeddedKafka({ minSessionTimeoutMs: 100, initialRebalanceDelayMs: 0 });
  registry = await startEmbeddedSchemaRegistry();
  sim = await startPlatformSimulator({ gpuCapacity: 8 });
  dir = mkdtempSync(join(tmpdir(), 'deployer-kafka-'));
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

function config(): DeployerConfig {
  return loadDeployerConfig({
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

interface Seen {
  deployed: CandidateDeployedV1[];
  released: CandidateReleasedV1[];
}

async function startProbe(): Promise<Seen> {
  const seen: Seen = { deployed: [], released: [] };
  probe = new KafkaEventBus<typeof catalogue>({
    catalogue,
    kafka: { brokers: kafka.bootstrapServers, clientId: 'probe', logLevel: 'nothing' },
    schemaRegistry: { url: registry.url },
    groupId: 'probe',
    consumer: { sessionTimeoutMs: 3000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
  });
  probe.subscribe(Topics.candidateDeployedV1, (e) => (seen.deployed.push(e), Outcome.processed()));
  probe.subscribe(Topics.candidateReleasedV1, (e) => (seen.released.push(e), Outcome.processed()));
  await probe.start();
  return seen;
}

describe('deployer on Kafka (embedded broker and registry, platform simulator)', () => {
  it('shares a deployment between two runs over Kafka and tears it down after both finished', async () => {
    service = await start(config());
    const seen = await startProbe();
    await probe?.publish(Topics.candidateDeployRequestedV1, deployRequested('run-a', SMALL));
    await probe?.publish(Topics.candidateDeployRequestedV1, deployRequested('run-b', SMALL));

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

    await probe?.publish(Topics.candidateFinishedV1, candidateFinished('run-a', SMALL));
    await probe?.publish(Topics.candidateFinishedV1, candidateFinished('run-b', SMALL));
    await waitFor('both released', () => seen.released.length === 2, 45_000);
    expect(sim.state.deployments.size).toBe(0);
    expect(seen.released.map((e) => e.reason)).toEqual(['completed', 'completed']);
  });
});
