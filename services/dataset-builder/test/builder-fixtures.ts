// Shared by the builder's unit and integration tests: the sample production logs in a SQLite log store, a dataset
// store that counts what it is asked to do, and a run request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLlmCall, type CandidateModelV1, type RunRequestedV1 } from '@flywheel/contracts';
import { InMemoryDatasetStore, type DatasetFile, type DatasetRef } from '@flywheel/platform-clients';
import { createLogStore, type LogStore } from '@flywheel/stores';
import { uuidV5 } from '../src/build/deterministic-ids';

export const FIXTURES_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'production-logs');
/** bfcl-live-simple.jsonl: 258 tool-calling records of workload agent.tool_router, client aiva-demo. */
export const TOOL_ROUTER = { file: 'bfcl-live-simple.jsonl', workload: 'agent.tool_router', client: 'aiva-demo' };
/** After the newest fixture record (2026-01-01), so every record is older than the request. */
export const REQUESTED_AT = Date.UTC(2026, 1, 1);

/** A connected in-memory SQLite log store holding the fixture's records (stable ids, so reruns are identical). */
export async function logStoreWith(file: string = TOOL_ROUTER.file): Promise<LogStore> {
  const store = createLogStore({ kind: 'sqlite', path: ':memory:' });
  await store.connect();
  await appendFixture(store, file);
  return store;
}

export async function appendFixture(store: LogStore, file: string, shift?: { timestampMs: number }): Promise<void> {
  const lines = readFileSync(join(FIXTURES_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const batch = lines.map((line, i) => {
    const json = JSON.parse(line) as Record<string, unknown>;
    if (shift) json.timestamp = shift.timestampMs / 1000 + i;
    const id = uuidV5(`${file}:${shift?.timestampMs ?? 0}:${i}`);
    return { id, record: parseLlmCall(json, { eventId: id }), source: `file:${file}` };
  });
  await store.append(batch);
}

export const CANDIDATES: CandidateModelV1[] = [
  { model_name: 'meta/llama-3.2-1b-instruct', context_length: 2600, icl_enabled: true, customization_enabled: true },
  { model_name: 'meta/llama-3.2-3b-instruct', context_length: 8192, icl_enabled: true, customization_enabled: false },
  { model_name: 'meta/llama-3.1-8b-instruct', context_length: null, icl_enabled: false, customization_enabled: false },
];

export function runRequested(overrides: Partial<RunRequestedV1> = {}): RunRequestedV1 {
  const runId = overrides.run_id ?? 'run-0001';
  return {
    event_id: uuidV5(`request:${runId}`),
    run_id: runId,
    occurred_at: REQUESTED_AT,
    workload_id: TOOL_ROUTER.workload,
    client_id: TOOL_ROUTER.client,
    candidates: CANDIDATES,
    data_split: null,
    icl: null,
    training: null,
    lora: null,
    requested_by: 'alice',
    requested_at: REQUESTED_AT,
    ...overrides,
  };
}

/** The simulator-free dataset store of the OpenAI-compatible backend, counting uploads. */
export class CountingDatasetStore extends InMemoryDatasetStore {
  public readonly uploads: { dataset: string; path: string }[] = [];
  /** Called before each upload; a test may cancel the run from here ("during building"). */
  public beforeUpload: ((dataset: DatasetRef, file: DatasetFile) => void) | undefined;

  public override uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void> {
    this.beforeUpload?.(dataset, file);
    this.uploads.push({ dataset: dataset.name, path: file.path });
    return super.uploadFile(dataset, file);
  }
}

/** A dataset store whose uploads wait until `open()`: the names of the datasets waiting show which builds started. */
export class GatedDatasetStore extends InMemoryDatasetStore {
  public readonly waiting = new Set<string>();
  private release: (() => void) | undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  public override async uploadFile(dataset: DatasetRef, file: DatasetFile): Promise<void> {
    this.waiting.add(dataset.name);
    await this.gate;
    return super.uploadFile(dataset, file);
  }

  public open(): void {
    this.release?.();
  }
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
