// Test helpers: SQLite stores on temp files, logged records, run events and the decision settings.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, testing, Topics, type CandidateModelV1, type EvalTypeV1 } from '@flywheel/contracts';
import { parseServiceConfig } from '@flywheel/curation';
import { createLogStore, createRunStore, type LogStore, type RunStore } from '@flywheel/stores';
import { type DecisionConfig, type JobsConfig } from '../src/config/aggregator-config';

export type Bus = MemoryEventBus<typeof catalogue>;

export interface Stores {
  readonly runs: RunStore;
  readonly logs: LogStore;
  readonly dir: string;
  close(): Promise<void>;
}

export async function openStores(): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'results-aggregator-'));
  const runs = createRunStore({ kind: 'sqlite', path: join(dir, 'runs.db') });
  const logs = createLogStore({ kind: 'sqlite', path: join(dir, 'logs.db') });
  await Promise.all([runs.connect(), logs.connect()]);
  return {
    runs,
    logs,
    dir,
    close: async () => {
      await Promise.allSettled([runs.close(), logs.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function newBus(): Bus {
  return new MemoryEventBus(catalogue, { groupId: 'results-aggregator' });
}

export const WORKLOAD = 'agent.tool_router';
export const CLIENT = 'aiva-demo';

/** `n` logged calls of one workload and client. */
export async function seedLogs(logs: LogStore, n: number, workload = WORKLOAD, client = CLIENT): Promise<void> {
  const base = testing.sampleEvents[Topics.llmCallLoggedV1];
  await logs.append(
    Array.from({ length: n }, (_, i) => ({
      id: `${workload}-${client}-${i}`,
      record: {
        ...base,
        event_id: randomUUID(),
        workload_id: workload,
        client_id: client,
        timestamp: 1_700_000_000_000 + i,
      },
      source: 'test',
    })),
  );
}

export const DECISION: DecisionConfig = {
  teacherModel: 'meta/llama-3.3-70b-instruct',
  teacherScores: { function_name_accuracy: 1, function_name_and_args_accuracy: 1, similarity: 10 },
  maxGap: 0.1,
  prices: { 'meta/llama-3.1-8b-instruct': 0.2 },
};

export const CANDIDATES: CandidateModelV1[] = [
  { model_name: 'meta/llama-3.1-8b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: true },
  { model_name: 'meta/llama-3.2-1b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: true },
];

export const JOBS_CONFIG: JobsConfig = { defaultCandidates: CANDIDATES, curation: parseServiceConfig({}) };

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Run events with fresh event ids; `at` is a step count after T0, in seconds. */
export const ev = {
  runRequested: (runId: string, candidates: CandidateModelV1[] = CANDIDATES) => ({
    ...testing.sampleEvents[Topics.runRequestedV1],
    event_id: randomUUID(),
    run_id: runId,
    workload_id: WORKLOAD,
    client_id: CLIENT,
    candidates,
  }),
  runStarted: (runId: string, at = 1) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    workload_id: WORKLOAD,
    client_id: CLIENT,
    candidate_models: CANDIDATES.map((c) => c.model_name),
    config_hash: 'sha256:x',
  }),
  datasetsBuilt: (runId: string, at = 2) => ({
    ...testing.sampleEvents[Topics.datasetsBuiltV1],
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    eval: { name: `eval-${runId}`, uri: `hf://datasets/ns/eval-${runId}`, record_count: 20 },
    icl: { name: `icl-${runId}`, uri: `hf://datasets/ns/icl-${runId}`, record_count: 20 },
    train: { name: `train-${runId}`, uri: `hf://datasets/ns/train-${runId}`, record_count: 72 },
    val: { name: `val-${runId}`, uri: `hf://datasets/ns/val-${runId}`, record_count: 8 },
  }),
  datasetsFailed: (runId: string, at = 2) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    workload_id: WORKLOAD,
    client_id: CLIENT,
    error: { code: 'INSUFFICIENT_RECORDS', message: '12 records after curation, 50 needed', retryable: false },
    curation: null,
  }),
  deployed: (runId: string, model: string, at = 3) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    role: 'candidate' as const,
    deployment_id: `dep-${model}`,
    endpoint_url: 'http://127.0.0.1:9000/v1',
    reused: false,
  }),
  released: (runId: string, model: string, at = 9) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    role: 'candidate' as const,
    deployment_id: `dep-${model}`,
    reason: 'completed' as const,
  }),
  deployFailed: (runId: string, model: string, at = 3) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    role: 'candidate' as const,
    error: { code: 'NO_GPU', message: 'no GPU free within 600 s', retryable: true },
  }),
  evalStarted: (runId: string, model: string, evalType: EvalTypeV1, at = 4) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    eval_type: evalType,
    target_model: model,
    job_id: `job-${model}-${evalType}`,
    dataset_name: `eval-${runId}`,
    workload_type: 'tool_calling' as const,
  }),
  evalProgress: (runId: string, model: string, evalType: EvalTypeV1, percent: number, at = 5) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    eval_type: evalType,
    job_id: `job-${model}-${evalType}`,
    percent,
  }),
  evalCompleted: (runId: string, model: string, evalType: EvalTypeV1, score: number, at = 6) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    eval_type: evalType,
    target_model: model,
    job_id: `job-${model}-${evalType}`,
    scores: { function_name_accuracy: Math.min(1, score + 0.05), function_name_and_args_accuracy: score },
    sample_count: 20,
    failed_sample_count: 0,
    duration_ms: 1000,
    mean_latency_ms: 250,
    mean_prompt_tokens: 800,
    mean_completion_tokens: 40,
  }),
  evalFailed: (runId: string, model: string, evalType: EvalTypeV1, at = 6) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    eval_type: evalType,
    job_id: `job-${model}-${evalType}`,
    error: { code: 'UPSTREAM_5XX', message: 'evaluator answered 503 three times', retryable: true },
  }),
  customizationCompleted: (runId: string, model: string, at = 5) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    job_id: `cust-${model}`,
    customized_model_name: `${model}@lora-${runId.slice(0, 8)}`,
    epochs_completed: 2,
    steps_completed: 40,
    final_train_loss: 0.2,
    final_val_loss: 0.3,
    duration_ms: 2000,
  }),
  customizationFailed: (runId: string, model: string, at = 5) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    model_name: model,
    job_id: `cust-${model}`,
    error: { code: 'TRAINING_DIVERGED', message: 'loss became NaN at step 12', retryable: false },
  }),
  cancelRequested: (runId: string, at = 7) => ({
    event_id: randomUUID(),
    run_id: runId,
    occurred_at: T0 + at * 1000,
    requested_by: 'alice',
    reason: null,
  }),
};
