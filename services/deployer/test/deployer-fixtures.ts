// Shared by the deployer's tests: its config against an in-process platform simulator, the app on the in-memory
// bus, event builders and a poll helper.
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusModule, MemoryEventBus } from '@flywheel/bus';
import {
  catalogue,
  Topics,
  uuidV5,
  type CandidateDeployRequestedV1,
  type CandidateFinishedV1,
} from '@flywheel/contracts';
import { loadDeployerConfig, type DeployerConfig } from '../src/config/deployer-config';
import { DEPLOYER_SUBSCRIPTIONS, DeployerModule, type DeployerOverrides } from '../src/deployer.module';
import { DeployerLifecycle } from '../src/lifecycle/deployer-lifecycle';
import { type DeployerCatalogue } from '../src/worker/deployer-worker';

export const SMALL = 'meta/llama-3.2-1b-instruct';
export const MEDIUM = 'meta/llama-3.2-3b-instruct';
export const LARGE = 'meta/llama-3.1-8b-instruct';
export const TEACHER = 'meta/llama-3.3-70b-instruct';

const TEST_NS = '8d0f3c52-8a40-4f4e-9a55-0c2d1b7f6e11';
export const T0 = Date.UTC(2026, 1, 1);

/** Fast polling and backoffs; the rest as in production. */
export function testConfig(simUrl: string, env: Record<string, string> = {}): DeployerConfig {
  return loadDeployerConfig({
    NEMO_BASE_URL: simUrl,
    PLATFORM_POLL_INTERVAL_MS: '10',
    PLATFORM_TIMEOUT_MS: '5000',
    PLATFORM_JOB_TIMEOUT_MS: '30000',
    PLATFORM_JOB_STALL_TIMEOUT_MS: '30000',
    DEPLOYER_TICK_INTERVAL_MS: '50',
    DEPLOYER_RETRY_BACKOFF_BASE_MS: '10',
    DEPLOYER_RETRY_BACKOFF_MAX_MS: '50',
    DEPLOYER_RECONCILE_INTERVAL_MS: '0',
    DEPLOYER_STATE_PATH: ':memory:',
    ...env,
  });
}

export interface Booted {
  app: INestApplication;
  bus: MemoryEventBus<DeployerCatalogue>;
}

export async function boot(config: DeployerConfig, overrides: Omit<DeployerOverrides, 'bus'> = {}): Promise<Booted> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DeployerModule.forRoot(config, {
        bus: BusModule.forTesting(catalogue, {
          groupId: config.groupId,
          subscriptions: [...DEPLOYER_SUBSCRIPTIONS],
          retry: { maxAttempts: 2, backoffBaseMs: 0, backoffMaxMs: 0 },
        }),
        defaultMetrics: false,
        ...overrides,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  await app.get(DeployerLifecycle).whenStarted();
  return { app, bus: app.get(MemoryEventBus) };
}

export function deployRequested(
  runId: string,
  model: string,
  extra: Partial<CandidateDeployRequestedV1> = {},
): CandidateDeployRequestedV1 {
  return {
    event_id: uuidV5(`deploy:${runId}:${model}`, TEST_NS),
    run_id: runId,
    occurred_at: T0,
    model_name: model,
    role: 'candidate',
    context_length: null,
    gpus: null,
    image_tag: null,
    ...extra,
  };
}

export function candidateFinished(
  runId: string,
  model: string,
  status: CandidateFinishedV1['status'] = 'completed',
): CandidateFinishedV1 {
  return {
    event_id: uuidV5(`finished:${runId}:${model}`, TEST_NS),
    run_id: runId,
    occurred_at: T0 + 1000,
    model_name: model,
    status,
    error: status === 'completed' ? null : { code: 'X', message: 'x', retryable: false },
  };
}

export async function publishCancel(bus: MemoryEventBus<DeployerCatalogue>, runId: string): Promise<void> {
  await bus.publish(Topics.runCancelRequestedV1, {
    event_id: uuidV5(`cancel:${runId}`, TEST_NS),
    run_id: runId,
    occurred_at: T0 + 500,
    requested_by: 'alice',
    reason: 'changed my mind',
  });
}

export async function waitFor(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
