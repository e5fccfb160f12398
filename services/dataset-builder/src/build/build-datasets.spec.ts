import { MemoryEventBus } from '@flywheel/bus';
import { catalogue, Topics, type RunRequestedV1 } from '@flywheel/contracts';
import { FakeEmbeddingClient, ICL_PREAMBLE, parseServiceConfig, type CurationConfigInput } from '@flywheel/curation';
import { type LogStore, type StoredLogRecord } from '@flywheel/stores';
import {
  appendFixture,
  CANDIDATES,
  CountingDatasetStore,
  logStoreWith,
  REQUESTED_AT,
  runRequested,
} from '../../test/builder-fixtures';
import { SqliteRunStateStore } from '../state/run-state-store';
import { BuildDatasets, type BuildDeps, type FlywheelCatalogue } from './build-datasets';
import { datasetNameOf, eventIdOf } from './deterministic-ids';

const NAMESPACE = 'dfwbp';

interface Harness {
  readonly build: BuildDatasets;
  readonly bus: MemoryEventBus<FlywheelCatalogue>;
  readonly datasets: CountingDatasetStore;
  readonly state: SqliteRunStateStore;
  readonly logStore: LogStore;
}

let logStore: LogStore;
const opened: { close(): unknown }[] = [];

beforeAll(async () => {
  logStore = await logStoreWith();
});

afterAll(async () => {
  await logStore.close();
});

afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

function harness(
  service: CurationConfigInput = {},
  parts: Partial<Pick<BuildDeps, 'embeddings' | 'logStore'>> & {
    datasets?: CountingDatasetStore;
    bus?: MemoryEventBus<FlywheelCatalogue>;
    state?: SqliteRunStateStore;
  } = {},
): Harness {
  const bus = parts.bus ?? new MemoryEventBus<FlywheelCatalogue>(catalogue);
  const datasets = parts.datasets ?? new CountingDatasetStore();
  const state = parts.state ?? new SqliteRunStateStore(':memory:');
  opened.push(state);
  const store = parts.logStore ?? logStore;
  let t = REQUESTED_AT + 1000;
  const build = new BuildDatasets(
    { logStore: store, datasets, publisher: bus, state, clock: () => (t += 1), embeddings: parts.embeddings },
    { curation: parseServiceConfig(service), namespace: NAMESPACE, readFactor: 2 },
  );
  return { build, bus, datasets, state, logStore: store };
}

function topics(bus: MemoryEventBus<FlywheelCatalogue>): string[] {
  return bus.published.map((e) => e.topic);
}

function eventIds(bus: MemoryEventBus<FlywheelCatalogue>): string[] {
  return bus.published.map((e) => (e.payload as { event_id: string }).event_id);
}

function lines(text: string | null): string[] {
  return text === null || text === '' ? [] : text.split('\n');
}

describe('BuildDatasets: happy path on the sample production logs', () => {
  it('emits run.started, progress, datasets.built and one deploy request per candidate, and uploads every split', async () => {
    const h = harness();
    const result = await h.build.execute(runRequested());

    expect(result.kind).toBe('built');
    expect(topics(h.bus)).toEqual([
      Topics.runStartedV1,
      Topics.stageProgressV1,
      Topics.stageProgressV1,
      Topics.stageProgressV1,
      Topics.stageProgressV1,
      Topics.datasetsBuiltV1,
      Topics.candidateDeployRequestedV1,
      Topics.candidateDeployRequestedV1,
      Topics.candidateDeployRequestedV1,
    ]);
    const [started] = h.bus.publishedTo(Topics.runStartedV1);
    expect(started?.candidate_models).toEqual(CANDIDATES.map((c) => c.model_name));

    const [built] = h.bus.publishedTo(Topics.datasetsBuiltV1);
    expect(built).toBeDefined();
    if (!built) return;
    expect(built.workload_type).toBe('tool_calling');
    expect(built.eval).toEqual({
      name: datasetNameOf('eval', 'run-0001'),
      uri: `memory://datasets/${NAMESPACE}/${datasetNameOf('eval', 'run-0001')}`,
      record_count: 20,
    });
    // One ICL slot in the event: the first ICL candidate's dataset.
    expect(built.icl?.name).toBe(datasetNameOf('icl', 'run-0001', 'meta/llama-3.2-1b-instruct'));
    expect(built.train?.name).toBe(datasetNameOf('train', 'run-0001'));
    expect(built.val?.name).toBe(built.train?.name);
    expect(built.curation.records_read).toBe(258);
    expect(built.curation.records_selected).toBeGreaterThan(50);
    expect(built.curation.records_selected).toBeLessThanOrEqual(258);
    expect(built.config_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.config_hash).toBe(started?.config_hash);
    expect(JSON.parse(built.lineage.log_store_query ?? '{}')).toMatchObject({
      workload_id: 'agent.tool_router',
      client_id: 'aiva-demo',
      limit: 20000,
      to: REQUESTED_AT + 1,
    });
    expect(built.lineage.from_timestamp).toBe(1767225600 * 1000);

    const deploys = h.bus.publishedTo(Topics.candidateDeployRequestedV1);
    expect(deploys.map((d) => [d.model_name, d.role, d.context_length])).toEqual([
      ['meta/llama-3.2-1b-instruct', 'candidate', 2600],
      ['meta/llama-3.2-3b-instruct', 'candidate', 8192],
      ['meta/llama-3.1-8b-instruct', 'candidate', null],
    ]);

    // Files: eval, one ICL dataset per ICL candidate (not for the 8B, which has ICL off), training + validation.
    const ref = (name: string) => ({ namespace: NAMESPACE, name });
    const evalLines = lines(await h.datasets.downloadFile(ref(built.eval.name), 'eval_data.jsonl'));
    expect(evalLines).toHaveLength(20);
    expect(JSON.parse(evalLines[0] ?? '{}')).toHaveProperty('request.messages');
    const train = lines(
      await h.datasets.downloadFile(ref(datasetNameOf('train', 'run-0001')), 'training/train_data.jsonl'),
    );
    const val = lines(
      await h.datasets.downloadFile(ref(datasetNameOf('train', 'run-0001')), 'validation/val_data.jsonl'),
    );
    expect(train).toHaveLength(built.train?.record_count ?? -1);
    expect(val).toHaveLength(built.val?.record_count ?? -1);
    expect(train.length + val.length + 20).toBe(built.curation.records_selected);
    expect(await h.datasets.getDataset(ref(datasetNameOf('icl', 'run-0001', 'meta/llama-3.1-8b-instruct')))).toBeNull();
  });

  it('gives each ICL candidate its own token budget: the 2.6k-context model gets fewer examples than the 8k one', async () => {
    const h = harness();
    await h.build.execute(runRequested({ run_id: 'run-icl' }));
    const read = async (model: string) =>
      lines(
        await h.datasets.downloadFile(
          { namespace: NAMESPACE, name: datasetNameOf('icl', 'run-icl', model) },
          'eval_data.jsonl',
        ),
      );
    const small = await read('meta/llama-3.2-1b-instruct');
    const large = await read('meta/llama-3.2-3b-instruct');
    expect(small).toHaveLength(20);
    expect(large).toHaveLength(20);
    const withExamples = (ls: string[]) => ls.filter((l) => l.includes(ICL_PREAMBLE.slice(0, 40))).length;
    const size = (ls: string[]) => ls.reduce((n, l) => n + l.length, 0);
    expect(withExamples(large)).toBeGreaterThan(0);
    expect(size(small)).toBeLessThan(size(large));
  });

  it('asks the embedding port when semantic ICL selection is configured', async () => {
    const embeddings = new FakeEmbeddingClient();
    const h = harness({ icl_config: { example_selection: 'semantic_similarity' } }, { embeddings: () => embeddings });
    const result = await h.build.execute(runRequested({ run_id: 'run-semantic' }));
    expect(result.kind).toBe('built');
    expect(embeddings.batches.length).toBeGreaterThan(0);
  });
});

describe('BuildDatasets: configuration', () => {
  it('merges per-run overrides over the SERVICE config, not over the hard defaults', async () => {
    const service: CurationConfigInput = { data_split_config: { eval_size: 30, val_ratio: 0.2 } };

    const plain = harness(service);
    await plain.build.execute(runRequested({ run_id: 'run-service' }));
    const [fromService] = plain.bus.publishedTo(Topics.datasetsBuiltV1);
    expect(fromService?.eval.record_count).toBe(30); // the service's 30, not the default 20

    const overridden = harness(service);
    await overridden.build.execute(
      runRequested({
        run_id: 'run-override',
        data_split: {
          eval_size: 10,
          val_ratio: null,
          min_total_records: null,
          random_seed: 7,
          limit: 60,
          parse_function_arguments: null,
        },
      }),
    );
    const [built] = overridden.bus.publishedTo(Topics.datasetsBuiltV1);
    expect(built?.eval.record_count).toBe(10); // the run's override
    expect(built?.curation.records_read).toBe(120); // limit 60 × 2, newest first
    // val_ratio not overridden: the service's 0.2 applies to what is left after eval.
    const rest = (built?.train?.record_count ?? 0) + (built?.val?.record_count ?? 0);
    expect(built?.val?.record_count).toBe(Math.round(rest * 0.2));
    expect(built?.config_hash).not.toBe(fromService?.config_hash);
  });

  it('fails the run with the field named when the effective config is invalid', async () => {
    const h = harness();
    const result = await h.build.execute(
      runRequested({
        run_id: 'run-bad-config',
        icl: {
          max_context_length: null,
          reserved_tokens: null,
          max_examples: 50,
          min_examples: null,
          example_selection: null,
        },
      }),
    );
    expect(result.kind).toBe('failed');
    const [failed] = h.bus.publishedTo(Topics.datasetsFailedV1);
    expect(failed?.error.code).toBe('INVALID_CONFIG');
    expect(failed?.error.message).toContain('icl.max_examples: max_examples 50 exceeds data_split_config.eval_size 20');
    expect(topics(h.bus)).toEqual([Topics.datasetsFailedV1, Topics.runFailedV1]);
    expect(h.datasets.uploads).toEqual([]);
  });
});

describe('BuildDatasets: too few records', () => {
  it('emits datasets.failed and run.failed with a message naming the numbers, and nothing else', async () => {
    const h = harness();
    const event = runRequested({
      run_id: 'run-too-few',
      data_split: {
        eval_size: null,
        val_ratio: null,
        min_total_records: 1000,
        random_seed: null,
        limit: 1000,
        parse_function_arguments: null,
      },
    });
    const result = await h.build.execute(event);

    expect(result.kind).toBe('failed');
    const [failed] = h.bus.publishedTo(Topics.datasetsFailedV1);
    const [runFailed] = h.bus.publishedTo(Topics.runFailedV1);
    expect(failed?.error.code).toBe('INSUFFICIENT_RECORDS');
    expect(failed?.error.retryable).toBe(false);
    expect(failed?.error.message).toMatch(
      /^found \d+ valid records after dedupe, need 1000 \(min_total_records\); 258 read/,
    );
    expect(runFailed).toMatchObject({ stage: 'dataset_build', error: failed?.error });
    expect(h.bus.publishedTo(Topics.datasetsBuiltV1)).toEqual([]);
    expect(h.bus.publishedTo(Topics.candidateDeployRequestedV1)).toEqual([]);
    expect(h.datasets.uploads).toEqual([]);
  });

  it('names an empty workload as 0 records read', async () => {
    const h = harness();
    await h.build.execute(runRequested({ run_id: 'run-empty', workload_id: 'agent.unknown' }));
    const [failed] = h.bus.publishedTo(Topics.datasetsFailedV1);
    expect(failed?.error.message).toContain('found 0 valid records after dedupe, need 50 (min_total_records); 0 read');
  });
});

describe('BuildDatasets: idempotence', () => {
  it('answers a redelivered request with the same event ids and no uploads', async () => {
    const h = harness();
    const event = runRequested({ run_id: 'run-redelivered' });
    await h.build.execute(event);
    const firstIds = eventIds(h.bus);
    const firstUploads = h.datasets.uploads.length;
    expect(firstUploads).toBe(5); // eval, two ICL, train, val

    const again = await h.build.execute(event);

    expect(again).toEqual({ kind: 'replayed', outcome: 'built' });
    expect(h.datasets.uploads).toHaveLength(firstUploads);
    const secondIds = eventIds(h.bus).slice(firstIds.length);
    // The stored final events (progress 100 %, datasets.built, deploy requests) come again with their ids.
    expect(secondIds).toEqual(firstIds.slice(-5));
    expect(new Set(firstIds).size).toBe(firstIds.length);
  });

  it('rebuilds identically after a kill before the outcome was stored, even with newer logs in the store', async () => {
    const store = await logStoreWith();
    opened.push({ close: () => void store.close() });
    const datasets = new CountingDatasetStore();
    const event = runRequested({ run_id: 'run-killed' });

    const first = harness({}, { logStore: store, datasets });
    await first.build.execute(event);
    const firstBuilt = first.bus.publishedTo(Topics.datasetsBuiltV1)[0];
    const uploadsBefore = datasets.uploads.length;

    // Logs keep arriving after the request; the rebuild must not see them.
    await appendFixture(store, 'bfcl-live-simple.jsonl', { timestampMs: REQUESTED_AT + 60_000 });
    // A fresh state store: the process died after uploading, before remembering the outcome.
    const second = harness({}, { logStore: store, datasets });
    const result = await second.build.execute(event);

    expect(result.kind).toBe('built');
    expect(eventIds(second.bus)).toEqual(eventIds(first.bus));
    expect(datasets.uploads).toHaveLength(uploadsBefore); // every file was already identical
    const secondBuilt = second.bus.publishedTo(Topics.datasetsBuiltV1)[0];
    expect({ ...secondBuilt, occurred_at: 0 }).toEqual({ ...firstBuilt, occurred_at: 0 });
  });

  it('derives the ids from the run: another run gets other event ids and other dataset names', async () => {
    const h = harness();
    await h.build.execute(runRequested({ run_id: 'run-a' }));
    await h.build.execute(runRequested({ run_id: 'run-b' }));
    const built = h.bus.publishedTo(Topics.datasetsBuiltV1);
    expect(built[0]?.event_id).toBe(eventIdOf('run-a', 'datasets.built'));
    expect(built[1]?.event_id).toBe(eventIdOf('run-b', 'datasets.built'));
    expect(built[0]?.eval.name).not.toBe(built[1]?.eval.name);
  });
});

describe('BuildDatasets: cancellation', () => {
  it('does nothing for a run cancelled before its request is handled', async () => {
    const h = harness();
    h.state.markCancelled('run-cancelled', REQUESTED_AT);
    const result = await h.build.execute(runRequested({ run_id: 'run-cancelled' }));
    expect(result).toEqual({ kind: 'cancelled', stage: 'start' });
    expect(h.bus.published).toEqual([]);
    expect(h.datasets.uploads).toEqual([]);
  });

  it('stops between stages when the cancel arrives during the build, and emits nothing further', async () => {
    const h = harness();
    h.datasets.beforeUpload = () => h.state.markCancelled('run-cancel-mid', REQUESTED_AT + 5);
    const result = await h.build.execute(runRequested({ run_id: 'run-cancel-mid' }));

    expect(result.kind).toBe('cancelled');
    expect(h.datasets.uploads).toHaveLength(1); // the eval file in flight; nothing after it
    expect(topics(h.bus)).not.toContain(Topics.datasetsBuiltV1);
    expect(topics(h.bus)).not.toContain(Topics.candidateDeployRequestedV1);
    expect(topics(h.bus)).not.toContain(Topics.runFailedV1);
    // A failure report for a cancelled run is suppressed too.
    const count = h.bus.published.length;
    await h.build.fail(runRequested({ run_id: 'run-cancel-mid' }), new Error('late'));
    expect(h.bus.published).toHaveLength(count);
  });
});

describe('BuildDatasets: transient failures', () => {
  it('throws while the log store is down (the caller retries) and reports a retryable failure when told to give up', async () => {
    const down = Object.assign(Object.create(logStore) as LogStore, {
      query: (): Promise<StoredLogRecord[]> => Promise.reject(new Error('log store unavailable: connection refused')),
    });
    const h = harness({}, { logStore: down });
    const event: RunRequestedV1 = runRequested({ run_id: 'run-store-down' });

    await expect(h.build.execute(event)).rejects.toThrow('connection refused');
    expect(h.bus.publishedTo(Topics.datasetsFailedV1)).toEqual([]);

    await h.build.fail(event, new Error('log store unavailable: connection refused'));
    const [failed] = h.bus.publishedTo(Topics.datasetsFailedV1);
    expect(failed?.error).toEqual({
      code: 'DATASET_BUILD_ERROR',
      message: 'dataset build failed: log store unavailable: connection refused',
      retryable: true,
    });
    // Remembered: a redelivered request repeats the failure rather than building a run already declared failed.
    const again = await h.build.execute(event);
    expect(again).toEqual({ kind: 'replayed', outcome: 'failed' });
    expect(h.bus.publishedTo(Topics.datasetsBuiltV1)).toEqual([]);
  });
});
