// Shared by the driver's integration tests: run events, a simulator with a training dataset uploaded the way the
// dataset-builder does it, a fast NeMo Customizer client, and a polling wait.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deterministicEventId,
  testing,
  Topics,
  type catalogue,
  type DatasetsBuiltV1,
  type RunRequestedV1,
} from '@flywheel/contracts';
import { type KafkaTestStack } from '@flywheel/dev-stack';
import { createNemoPlatform, type Platform } from '@flywheel/platform-clients';
import {
  startPlatformSimulator,
  type PlatformSimulator,
  type SimulatorOptionsInput,
} from '@flywheel/platform-simulator';

const TEST_NS = '5b0f3c2e-4a7d-4c55-9a43-2f1f6f0b1c11';
export const SMALL = 'meta/llama-3.2-1b-instruct';
export const MEDIUM = 'meta/llama-3.2-3b-instruct';
export const NAMESPACE = 'dfwbp';
export const TRAIN_RECORDS = 48;
const LOGS = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'production-logs', 'bfcl-live-simple.jsonl');

export const trainDatasetOf = (runId: string): string => `flywheel-train-${runId}`;

export function runRequested(runId: string, overrides: Partial<RunRequestedV1> = {}): RunRequestedV1 {
  return {
    ...testing.sampleEvents['flywheel.run.requested.v1'],
    event_id: deterministicEventId(TEST_NS, runId, 'requested'),
    run_id: runId,
    occurred_at: Date.now(),
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    candidates: [
      { model_name: SMALL, context_length: 8192, icl_enabled: false, customization_enabled: true },
      { model_name: MEDIUM, context_length: 8192, icl_enabled: false, customization_enabled: false },
    ],
    data_split: null,
    icl: null,
    training: null,
    lora: null,
    requested_at: Date.now(),
    ...overrides,
  };
}

export function datasetsBuilt(runId: string, withTrain = true): DatasetsBuiltV1 {
  const train = {
    name: trainDatasetOf(runId),
    uri: `hf://datasets/${NAMESPACE}/${trainDatasetOf(runId)}`,
    record_count: TRAIN_RECORDS,
  };
  return {
    ...testing.sampleEvents['flywheel.dataset.built.v1'],
    event_id: deterministicEventId(TEST_NS, runId, 'built'),
    run_id: runId,
    occurred_at: Date.now(),
    train: withTrain ? train : null,
    val: withTrain ? { ...train, record_count: 6 } : null,
  };
}

export function cancelRequested(runId: string) {
  return {
    event_id: deterministicEventId(TEST_NS, runId, 'cancel'),
    run_id: runId,
    occurred_at: Date.now(),
    requested_by: 'alice',
    reason: 'changed my mind',
  };
}

export interface Sim {
  readonly sim: PlatformSimulator;
  readonly platform: Platform;
}

/** A simulator and a NeMo platform on it with fast retries and polls. */
export async function startSim(options: SimulatorOptionsInput = {}): Promise<Sim> {
  const sim = await startPlatformSimulator(options);
  return { sim, platform: platformAt(sim.url) };
}

/** A new NeMo platform client on the simulator (a restarted process has no cached job details). */
export function platformAt(url: string): Platform {
  return createNemoPlatform({
    nemoBaseUrl: url,
    nimBaseUrl: url,
    datastoreBaseUrl: url,
    namespace: NAMESPACE,
    timeoutMs: 5000,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 },
    wait: { pollIntervalMs: 10, timeoutMs: 30_000, stallTimeoutMs: 30_000 },
  });
}

/** The run's training dataset (training/ + validation/ folders), uploaded and registered like the dataset-builder. */
export async function uploadTrainDataset(platform: Platform, runId: string): Promise<void> {
  const lines = readFileSync(LOGS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const ref = { namespace: NAMESPACE, name: trainDatasetOf(runId) };
  await platform.datasets.ensureNamespace(NAMESPACE);
  await platform.datasets.uploadFile(ref, {
    path: 'training/train_data.jsonl',
    content: lines.slice(0, TRAIN_RECORDS).join('\n'),
  });
  await platform.datasets.uploadFile(ref, {
    path: 'validation/val_data.jsonl',
    content: lines.slice(TRAIN_RECORDS, TRAIN_RECORDS + 6).join('\n'),
  });
  await platform.datasets.registerDataset(ref, { description: 'test training data' });
}

export async function waitFor(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Config variables of a fast driver (tests never read process.env). */
export function fastEnv(statePath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CUSTOMIZER_STATE_PATH: statePath,
    CUSTOMIZER_WORKER_INTERVAL_MS: '50',
    CUSTOMIZER_PROGRESS_INTERVAL_MS: '0',
    CUSTOMIZER_RETRY_BACKOFF_BASE_MS: '10',
    CUSTOMIZER_RETRY_BACKOFF_MAX_MS: '50',
    PLATFORM_POLL_INTERVAL_MS: '20',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** The customization events the driver publishes, as a consumer outside it sees them (a probe on the Kafka stack). */
export function collectCustomizations(stack: KafkaTestStack<typeof catalogue>) {
  return stack.collect({
    started: Topics.customizationStartedV1,
    progress: Topics.customizationProgressV1,
    completed: Topics.customizationCompletedV1,
  });
}
