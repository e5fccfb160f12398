// Shared by the driver's integration tests: the events it consumes, built like the other services build them, and
// a simulator prepared the way the dataset-builder and deployer leave it (datasets uploaded, the candidate deployed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deterministicEventId,
  type CandidateDeployedV1,
  type CandidateFinishedV1,
  type CustomizationCompletedV1,
  type DatasetsBuiltV1,
  type RunCancelRequestedV1,
  type RunDeletedV1,
} from '@flywheel/contracts';
import { createNemoPlatform, type DatasetStore, type Platform } from '@flywheel/platform-clients';

export const NAMESPACE = 'dfwbp';
export const M1 = 'meta/llama-3.2-1b-instruct';
export const M3 = 'meta/llama-3.2-3b-instruct';
export const TEACHER = 'meta/llama-3.3-70b-instruct';
const TEST_NS = '6c0e3c55-5a43-4d8e-9d0f-3f6f0b3a9e21';
const AT = Date.UTC(2026, 1, 1);
const LOGS_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'production-logs');
/** 258 tool-calling records of agent.tool_router. */
export const TOOL_LOGS = 'bfcl-live-simple.jsonl';
/** Chat records (math word problems) of agent.math_tutor: a generic workload. */
export const CHAT_LOGS = 'gsm8k-chat.jsonl';

export const FAST_WAIT = { pollIntervalMs: 10, timeoutMs: 30_000, stallTimeoutMs: 30_000 };
export const NO_RETRY_DELAY = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

/** Lines `[from, to)` of a sample log file. */
export function logLines(from: number, to: number, file = TOOL_LOGS): string[] {
  return readFileSync(join(LOGS_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(from, to);
}

export function evalName(runId: string): string {
  return `flywheel-eval-${runId}`;
}
export function iclName(runId: string, model: string): string {
  return `flywheel-icl-${runId}-${model.split('/')[1] ?? model}`;
}
export function trainName(runId: string): string {
  return `flywheel-train-${runId}`;
}

/** The builder's uploads for a run: 20 eval records, the same split with a few examples as ICL, 100 training records. */
export async function uploadDatasets(
  datasets: DatasetStore,
  runId: string,
  iclModels: readonly string[] = [M1],
  file = TOOL_LOGS,
): Promise<void> {
  await datasets.ensureNamespace(NAMESPACE);
  const evalLines = logLines(0, 20, file);
  const upload = async (name: string, files: { path: string; content: string }[]): Promise<void> => {
    const ref = { namespace: NAMESPACE, name };
    for (const f of files) await datasets.uploadFile(ref, f);
    await datasets.registerDataset(ref);
  };
  await upload(evalName(runId), [{ path: 'eval_data.jsonl', content: evalLines.join('\n') }]);
  for (const model of iclModels) {
    await upload(iclName(runId, model), [{ path: 'eval_data.jsonl', content: evalLines.join('\n') }]);
  }
  await upload(trainName(runId), [
    { path: 'training/train_data.jsonl', content: logLines(20, 120, file).join('\n') },
    { path: 'validation/val_data.jsonl', content: logLines(120, 140, file).join('\n') },
  ]);
}

export function nemoPlatform(url: string): Platform {
  return createNemoPlatform({
    nemoBaseUrl: url,
    nimBaseUrl: url,
    datastoreBaseUrl: url,
    namespace: NAMESPACE,
    retry: NO_RETRY_DELAY,
    wait: FAST_WAIT,
  });
}

export async function deploy(platform: Platform, model: string): Promise<void> {
  await platform.deployments.deploy({ model, gpus: 1 });
  await platform.deployments.waitUntilReady(model, FAST_WAIT);
}

/** A real LoRA job on the simulator; the customized model's name, as customization.completed carries it. */
export async function customize(platform: Platform, runId: string, model: string): Promise<string> {
  const config = await platform.customization.ensureConfig({ baseModel: model, target: `${model}@2.0`, gpus: 1 });
  const job = await platform.customization.createJob({
    runId,
    workloadId: 'agent.tool_router',
    baseModel: model,
    config,
    dataset: { namespace: NAMESPACE, name: trainName(runId) },
    hyperparameters: {
      trainingType: 'sft',
      finetuningType: 'lora',
      epochs: 1,
      batchSize: 16,
      learningRate: 1e-4,
      lora: { adapterDim: 16, adapterDropout: 0.1 },
    },
  });
  const done = await platform.customization.waitForCompletion(job.id, FAST_WAIT);
  return done.outputModel;
}

function id(...parts: string[]): string {
  return deterministicEventId(TEST_NS, ...parts);
}

export function datasetsBuilt(
  runId: string,
  iclModels: readonly string[] = [M1],
  workloadType: DatasetsBuiltV1['workload_type'] = 'tool_calling',
): DatasetsBuiltV1 {
  const ref = (name: string, count: number) => ({
    name,
    uri: `hf://datasets/${NAMESPACE}/${name}`,
    record_count: count,
  });
  const icl = iclModels.map((m) => ({ model_name: m, dataset: ref(iclName(runId, m), 20) }));
  return {
    event_id: id(runId, 'datasets.built'),
    run_id: runId,
    occurred_at: AT,
    workload_id: 'agent.tool_router',
    client_id: 'aiva-demo',
    workload_type: workloadType,
    eval: ref(evalName(runId), 20),
    icl: icl[0]?.dataset ?? null,
    train: ref(trainName(runId), 100),
    val: ref(trainName(runId), 20),
    curation: { records_read: 258, records_selected: 140, dropped_by_rule: {} },
    lineage: { log_store_query: null, offset_ranges: [], from_timestamp: null, to_timestamp: null },
    config_hash: 'sha256:test',
    icl_by_model: icl,
  };
}

export function candidateDeployed(runId: string, model: string): CandidateDeployedV1 {
  return {
    event_id: id(runId, 'candidate.deployed', model),
    run_id: runId,
    occurred_at: AT + 1,
    model_name: model,
    role: 'candidate',
    deployment_id: `${NAMESPACE}/${model}`,
    endpoint_url: 'http://127.0.0.1:8080/v1',
    reused: false,
  };
}

export function customizationCompleted(runId: string, model: string, customized: string): CustomizationCompletedV1 {
  return {
    event_id: id(runId, 'customization.completed', model),
    run_id: runId,
    occurred_at: AT + 2,
    model_name: model,
    job_id: `cust-${runId}`,
    customized_model_name: customized,
    epochs_completed: 1,
    steps_completed: 7,
    final_train_loss: 0.4,
    final_val_loss: 0.5,
    duration_ms: 1000,
  };
}

export function cancelRequested(runId: string): RunCancelRequestedV1 {
  return {
    event_id: id(runId, 'run.cancel-requested'),
    run_id: runId,
    occurred_at: AT + 3,
    requested_by: 'alice',
    reason: 'wrong workload',
  };
}

export function runDeleted(runId: string): RunDeletedV1 {
  return { event_id: id(runId, 'run.deleted'), run_id: runId, occurred_at: AT + 4, deleted_by: 'alice' };
}

export function candidateFinished(runId: string, model: string): CandidateFinishedV1 {
  return {
    event_id: id(runId, 'candidate.finished', model),
    run_id: runId,
    occurred_at: AT + 5,
    model_name: model,
    status: 'failed',
    error: { code: 'DEPLOYMENT_FAILED', message: 'deployment lost', retryable: true },
  };
}

export async function waitFor(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
