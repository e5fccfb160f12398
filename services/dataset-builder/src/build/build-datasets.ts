// The dataset-builder's use case, plain TypeScript: one `run.requested` in, datasets uploaded and events out.
//
//   resolve config → run.started → read logs → curate → upload eval → ICL per model → train/val
//     → datasets.built → one candidate.deploy-requested per candidate
//
// Idempotent under redelivery and a kill at any line: every event id, dataset name and the curation seed derive from
// the run id; the log query is bounded by the request time, so a rebuild reads the same records; a file whose stored
// content is already identical is not uploaded again; the events of a finished build are stored and re-published
// verbatim when the request comes again. A cancelled run is checked between stages and emits nothing further.
import {
  type CandidateDeployRequestedV1,
  type CurationStatsV1,
  type DatasetRefV1,
  type DatasetsBuiltV1,
  type DatasetsFailedV1,
  type ErrorInfoV1,
  type EventOf,
  type RunFailedV1,
  type RunRequestedV1,
  type RunStartedV1,
  type StageProgressV1,
  Topics,
  type catalogue,
} from '@flywheel/contracts';
import { type EventPublisher, type OutgoingEvent } from '@flywheel/bus';
import {
  curate,
  EmbeddingFailureError,
  fromLlmCallLogged,
  InsufficientRecordsError,
  toJsonl,
  ToolListInterner,
  type CurationConfig,
  type CurationResult,
  type EmbeddingClient,
} from '@flywheel/curation';
import { type DatasetRef, type DatasetStore } from '@flywheel/platform-clients';
import { type LogStore } from '@flywheel/stores';
import { type RunStateStore, type StoredEvent, type StoredOutcome } from '../state/run-state-store';
import { datasetNameOf, eventIdOf, hashOf, seedOf } from './deterministic-ids';
import { resolveRunConfig, RunConfigError } from './run-config';

export type FlywheelCatalogue = typeof catalogue;

export interface BuildSettings {
  /** The service's curation config (blueprint defaults under what the operator set). */
  readonly curation: CurationConfig;
  /** Platform namespace the datasets are written to. */
  readonly namespace: string;
  /** Records read from the log store per record the run may use: the blueprint reads limit × 2, newest first. */
  readonly readFactor: number;
}

export interface BuildObserver {
  built?(result: { records: number; uploads: number; skippedUploads: number; durationMs: number }): void;
  failed?(code: string): void;
  cancelled?(): void;
  replayed?(): void;
}

export interface BuildDeps {
  readonly logStore: LogStore;
  readonly datasets: DatasetStore;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  readonly state: RunStateStore;
  /** For semantic ICL selection; absent = curation falls back (or fails, per config) and reports it. */
  readonly embeddings?: (signal?: AbortSignal) => EmbeddingClient;
  readonly clock?: () => number;
  readonly observer?: BuildObserver;
}

export type BuildResult =
  | {
      readonly kind: 'built';
      readonly events: readonly StoredEvent[];
      readonly uploads: number;
      readonly skippedUploads: number;
    }
  | { readonly kind: 'failed'; readonly error: ErrorInfoV1 }
  | { readonly kind: 'cancelled'; readonly stage: string }
  | { readonly kind: 'replayed'; readonly outcome: StoredOutcome['kind'] };

/** The build stopped for a reason that will not go away by retrying the same request. */
export class BuildFailure extends Error {
  public constructor(
    public readonly code: string,
    message: string,
    public readonly retryable = false,
  ) {
    super(message);
    this.name = 'BuildFailure';
  }
}

class Cancelled extends Error {
  public constructor(public readonly stage: string) {
    super(`run cancelled (before ${stage})`);
  }
}

type Publishable = OutgoingEvent<FlywheelCatalogue>;

const EVAL_FILE = 'eval_data.jsonl';
const TRAIN_FILE = 'training/train_data.jsonl';
const VAL_FILE = 'validation/val_data.jsonl';

export class BuildDatasets {
  private readonly clock: () => number;

  public constructor(
    private readonly deps: BuildDeps,
    private readonly settings: BuildSettings,
  ) {
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * Builds the run's datasets and emits its events. Throws for transient trouble (log store or platform down): the
   * caller retries, and on its last attempt calls `fail` so the run does not stay `running` forever.
   */
  public async execute(event: RunRequestedV1, signal?: AbortSignal): Promise<BuildResult> {
    // A cancelled (or deleted) run emits nothing further, not even a replay of what it emitted before.
    if (this.deps.state.isCancelled(event.run_id)) {
      this.deps.observer?.cancelled?.();
      return { kind: 'cancelled', stage: 'start' };
    }
    const stored = this.deps.state.outcomeOf(event.run_id);
    if (stored !== null) {
      await this.republish(stored);
      this.deps.observer?.replayed?.();
      return { kind: 'replayed', outcome: stored.kind };
    }
    try {
      return await this.build(event, signal);
    } catch (err) {
      if (err instanceof Cancelled) {
        this.deps.observer?.cancelled?.();
        return { kind: 'cancelled', stage: err.stage };
      }
      if (err instanceof BuildFailure) return this.fail(event, err);
      throw err;
    }
  }

  /** Emits `datasets.failed` and `run.failed` (deterministic ids) and remembers them; a no-op for cancelled runs. */
  public async fail(event: RunRequestedV1, err: unknown): Promise<BuildResult> {
    const error = errorInfoOf(err);
    if (this.deps.state.isCancelled(event.run_id)) return { kind: 'cancelled', stage: 'failure report' };
    const now = this.clock();
    const failed: DatasetsFailedV1 = {
      event_id: eventIdOf(event.run_id, 'datasets.failed'),
      run_id: event.run_id,
      occurred_at: now,
      workload_id: event.workload_id,
      client_id: event.client_id,
      error,
      curation: null,
    };
    const runFailed: RunFailedV1 = {
      event_id: eventIdOf(event.run_id, 'run.failed'),
      run_id: event.run_id,
      occurred_at: now,
      stage: 'dataset_build',
      error,
    };
    const events: Publishable[] = [
      { topic: Topics.datasetsFailedV1, payload: failed },
      { topic: Topics.runFailedV1, payload: runFailed },
    ];
    // Remembered like a success: once reported failed, a redelivered request repeats the failure instead of building
    // after the run was declared failed (`retryable` tells a person that asking again, as a new run, may work).
    this.deps.state.saveOutcome(event.run_id, { kind: 'failed', events: events.map(toStored) });
    await this.deps.publisher.publishMany(events);
    this.deps.observer?.failed?.(error.code);
    return { kind: 'failed', error };
  }

  private async build(event: RunRequestedV1, signal: AbortSignal | undefined): Promise<BuildResult> {
    const started = this.clock();
    const runId = event.run_id;
    const checkpoint = (stage: string): void => {
      if (this.deps.state.isCancelled(runId)) throw new Cancelled(stage);
      if (signal?.aborted) throw new Error(`build of run '${runId}' aborted before ${stage} (handler timeout)`);
    };

    checkpoint('start');
    // Before anything is uploaded: a deletion of the run must know which per-model datasets to remove.
    this.deps.state.recordModels(
      runId,
      event.candidates.map((c) => c.model_name),
    );
    const config = this.resolveConfig(event);
    const configHash = hashOf({ curation: config, seed: config.data_split_config.random_seed ?? seedOf(runId) });
    await this.publish({
      topic: Topics.runStartedV1,
      payload: {
        event_id: eventIdOf(runId, 'run.started'),
        run_id: runId,
        occurred_at: this.clock(),
        workload_id: event.workload_id,
        client_id: event.client_id,
        candidate_models: event.candidates.map((c) => c.model_name),
        config_hash: configHash,
      } satisfies RunStartedV1,
    });

    checkpoint('reading logs');
    await this.progress(event, 'read', 5, 'reading production logs');
    const { records, query, range } = await this.readLogs(event, config);

    checkpoint('curation');
    await this.progress(event, 'curate', 25, `curating ${records.length} records`);
    const curated = await this.curate(records, config, runId, signal);

    checkpoint('upload');
    await this.progress(event, 'upload', 60, 'uploading datasets');
    const uploads = { done: 0, skipped: 0 };
    await this.deps.datasets.ensureNamespace(this.settings.namespace);
    const evalRef = await this.upload(
      datasetNameOf('eval', runId),
      [{ path: EVAL_FILE, lines: curated.datasets.eval }],
      `flywheel eval split of run ${runId}`,
      uploads,
    );

    const iclByModel: { model_name: string; dataset: DatasetRefV1 }[] = [];
    for (const candidate of event.candidates.filter((c) => c.icl_enabled)) {
      checkpoint(`ICL upload for ${candidate.model_name}`);
      const lines = curated.datasets.icl[candidate.model_name] ?? [];
      const ref = await this.upload(
        datasetNameOf('icl', runId, candidate.model_name),
        [{ path: EVAL_FILE, lines }],
        `flywheel ICL split of run ${runId} for ${candidate.model_name}`,
        uploads,
      );
      iclByModel.push({ model_name: candidate.model_name, dataset: ref });
    }

    let trainRef: DatasetRefV1 | null = null;
    let valRef: DatasetRefV1 | null = null;
    if (event.candidates.some((c) => c.customization_enabled)) {
      checkpoint('training upload');
      const files = [{ path: TRAIN_FILE, lines: curated.datasets.train }];
      if (curated.datasets.val.length > 0) files.push({ path: VAL_FILE, lines: curated.datasets.val });
      // One dataset with training/ and validation/ folders: the layout NeMo Customizer reads.
      const ref = await this.upload(
        datasetNameOf('train', runId),
        files,
        `flywheel training and validation splits of run ${runId}`,
        uploads,
      );
      trainRef = { ...ref, record_count: curated.datasets.train.length };
      valRef = curated.datasets.val.length > 0 ? { ...ref, record_count: curated.datasets.val.length } : null;
    }

    checkpoint('datasets built');
    const now = this.clock();
    const built: DatasetsBuiltV1 = {
      event_id: eventIdOf(runId, 'datasets.built'),
      run_id: runId,
      occurred_at: now,
      workload_id: event.workload_id,
      client_id: event.client_id,
      workload_type: curated.workload_type,
      eval: evalRef,
      // The v1 `icl` slot keeps naming the first candidate's dataset for readers that predate icl_by_model.
      icl: iclByModel[0]?.dataset ?? null,
      icl_by_model: iclByModel,
      train: trainRef,
      val: valRef,
      curation: curationStatsOf(curated),
      lineage: {
        log_store_query: JSON.stringify(query),
        offset_ranges: [],
        from_timestamp: range.from,
        to_timestamp: range.to,
      },
      config_hash: configHash,
    };
    const events: Publishable[] = [
      {
        topic: Topics.stageProgressV1,
        payload: progressOf(event, 'done', 100, `datasets built: ${curated.stats.splits.eval} eval records`, now),
      },
      { topic: Topics.datasetsBuiltV1, payload: built },
      ...event.candidates.map((c): Publishable => ({
        topic: Topics.candidateDeployRequestedV1,
        payload: {
          event_id: eventIdOf(runId, 'candidate.deploy-requested', c.model_name),
          run_id: runId,
          occurred_at: now,
          model_name: c.model_name,
          role: 'candidate',
          context_length: c.context_length,
          gpus: null,
          image_tag: null,
        } satisfies CandidateDeployRequestedV1,
      })),
    ];
    // Remembered before publishing: a kill between the two re-publishes these exact events on redelivery.
    this.deps.state.saveOutcome(runId, { kind: 'built', events: events.map(toStored) });
    await this.deps.publisher.publishMany(events);
    this.deps.observer?.built?.({
      records: records.length,
      uploads: uploads.done,
      skippedUploads: uploads.skipped,
      durationMs: this.clock() - started,
    });
    return { kind: 'built', events: events.map(toStored), uploads: uploads.done, skippedUploads: uploads.skipped };
  }

  private resolveConfig(event: RunRequestedV1): CurationConfig {
    try {
      return resolveRunConfig(this.settings.curation, event);
    } catch (err) {
      if (err instanceof RunConfigError) throw new BuildFailure('INVALID_CONFIG', err.message);
      throw err;
    }
  }

  private async readLogs(
    event: RunRequestedV1,
    config: CurationConfig,
  ): Promise<{
    records: unknown[];
    query: Record<string, unknown>;
    range: { from: number | null; to: number | null };
  }> {
    const limit = config.data_split_config.limit * this.settings.readFactor;
    // Bounded by the request time (exclusive bound, so +1 keeps records logged in the same millisecond): a rebuild
    // after a redelivery reads the same records even though logs kept arriving.
    const to = event.requested_at + 1;
    const stored = await this.deps.logStore.query({
      workloadId: event.workload_id,
      clientId: event.client_id,
      to,
      limit,
    });
    const interner = new ToolListInterner();
    const records = stored.map((s) => fromLlmCallLogged(s.record, interner));
    const times = stored.map((s) => s.record.timestamp);
    return {
      records,
      query: { workload_id: event.workload_id, client_id: event.client_id, to, limit, order: 'timestamp desc' },
      range: {
        from: times.length > 0 ? Math.min(...times) : null,
        to: times.length > 0 ? Math.max(...times) : null,
      },
    };
  }

  private async curate(
    records: readonly unknown[],
    config: CurationConfig,
    runId: string,
    signal: AbortSignal | undefined,
  ): Promise<CurationResult> {
    try {
      return await curate(records, config, {
        embeddingClient: this.deps.embeddings?.(signal),
        drawSeed: () => seedOf(runId),
      });
    } catch (err) {
      if (err instanceof InsufficientRecordsError) throw new BuildFailure('INSUFFICIENT_RECORDS', err.message);
      // The embedding endpoint may come back: reported as retryable so the run can be requested again.
      if (err instanceof EmbeddingFailureError) throw new BuildFailure('EMBEDDING_FAILED', err.message, true);
      throw err;
    }
  }

  /** Uploads the files that differ from what is stored under that name, then registers the dataset. */
  private async upload(
    name: string,
    files: readonly { path: string; lines: readonly string[] }[],
    description: string,
    counts: { done: number; skipped: number },
  ): Promise<DatasetRefV1> {
    const ref: DatasetRef = { namespace: this.settings.namespace, name };
    for (const file of files) {
      const content = toJsonl(file.lines);
      const current = await this.deps.datasets.downloadFile(ref, file.path);
      if (current === content) {
        counts.skipped += 1;
        continue;
      }
      await this.deps.datasets.uploadFile(ref, { path: file.path, content });
      counts.done += 1;
    }
    const registered = await this.deps.datasets.registerDataset(ref, { description });
    return { name, uri: registered.filesUrl, record_count: files[0]?.lines.length ?? 0 };
  }

  private async progress(event: RunRequestedV1, step: string, percent: number, message: string): Promise<void> {
    await this.publish({
      topic: Topics.stageProgressV1,
      payload: progressOf(event, step, percent, message, this.clock()),
    });
  }

  private async publish(event: Publishable): Promise<void> {
    await this.deps.publisher.publishMany([event]);
  }

  private async republish(outcome: StoredOutcome): Promise<void> {
    // Stored by this service from events the bus accepted; the bus checks them against the contract again.
    await this.deps.publisher.publishMany(outcome.events as unknown as Publishable[]);
  }
}

function progressOf(
  event: RunRequestedV1,
  step: string,
  percent: number,
  message: string,
  at: number,
): StageProgressV1 {
  return {
    event_id: eventIdOf(event.run_id, 'stage-progress', step),
    run_id: event.run_id,
    occurred_at: at,
    stage: 'dataset_build',
    model_name: null,
    percent,
    message,
  };
}

function curationStatsOf(result: CurationResult): CurationStatsV1 {
  const dropped: Record<string, number> = {};
  for (const [rule, n] of Object.entries(result.stats.dropped)) if (n > 0) dropped[rule] = n;
  for (const [rule, n] of Object.entries(result.stats.training_format_dropped)) {
    if (n > 0) dropped[`training_format.${rule}`] = n;
  }
  return {
    records_read: result.stats.counts.total_records,
    records_selected: result.stats.counts.final_selected,
    dropped_by_rule: dropped,
  };
}

function toStored(event: Publishable): StoredEvent {
  return { topic: event.topic, payload: event.payload as unknown as Record<string, unknown> };
}

function errorInfoOf(err: unknown): ErrorInfoV1 {
  if (err instanceof BuildFailure) return { code: err.code, message: err.message, retryable: err.retryable };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'DATASET_BUILD_ERROR', message: `dataset build failed: ${message}`, retryable: true };
}

export type RunRequestedEvent = EventOf<typeof Topics.runRequestedV1>;
