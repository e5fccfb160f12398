// The jobs API as use cases, plain TypeScript over the ports (RunStore, LogStore, EventPublisher): the controller
// only maps HTTP to these calls, and these are unit-tested without Nest.
import { randomUUID } from 'node:crypto';
import { type EventPublisher, type PayloadOf, type TopicOf } from '@flywheel/bus';
import { runRequestInputSchema, toRunRequested, Topics, type RunRequestInput } from '@flywheel/contracts';
import { CurationConfigError, resolveJobConfig } from '@flywheel/curation';
import { type LogStore, NotFoundError, type RunStore, StoreError } from '@flywheel/stores';
import { z } from 'zod';
import { type DecisionConfig, type JobsConfig } from '../config/aggregator-config';
import { eventIdOf } from '../ids';
import { type FlywheelCatalogue } from '../projection/run-projection';
import { recommend } from '../projection/recommendation';
import { writeRunPlan } from '../projection/run-plan';
import { candidateScoresOf } from '../projection/run-scores';
import { ApiError } from './api-error';
import { parseJobId, parseListQuery } from './job-inputs';
import { buildReport, type JobReport } from './job-report';
import { detailView, listView, type JobDetailResponse, type JobsListResponse } from './job-views';

export interface JobResponse {
  readonly id: string;
  /** What is stored: `pending` (the blueprint answered `queued` while storing `pending`, §10). */
  readonly status: string;
  readonly message: string;
}

export interface JobActionResponse {
  readonly id: string;
  readonly message: string;
  /** Addition: the stored status after the action. */
  readonly status?: string;
}

export interface JobsDeps {
  readonly runs: RunStore;
  readonly logs: LogStore;
  readonly publisher: EventPublisher<FlywheelCatalogue>;
  readonly config: JobsConfig;
  readonly decision: DecisionConfig;
  readonly clock?: () => number;
  readonly newId?: () => string;
}

const ALL = { limit: 1000 } as const;

const promoteBodySchema = z
  .object({
    /** Defaults to the run's recommendation. */
    model_name: z.string().trim().min(1).optional(),
    promoted_by: z.string().trim().min(1).default('jobs-api'),
    reason: z.string().trim().min(1).nullable().default(null),
  })
  .strict();

export interface PromoteResponse {
  readonly id: string;
  readonly model_name: string;
  readonly previous_model: string;
  readonly message: string;
}
const OPEN: readonly string[] = ['pending', 'running'];

export class Jobs {
  private readonly clock: () => number;
  private readonly newId: () => string;

  public constructor(private readonly deps: JobsDeps) {
    this.clock = deps.clock ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
  }

  /** POST /api/jobs */
  public async create(body: unknown, requestedBy = 'jobs-api'): Promise<JobResponse> {
    const parsed = runRequestInputSchema.safeParse(body);
    if (!parsed.success) throw ApiError.fromZod('unprocessable', 'Invalid job request', parsed.error);
    const input = parsed.data;
    const minRecords = this.checkOverrides(input);
    await this.checkWorkload(input.workload_id, input.client_id, minRecords);

    const runId = this.newId();
    const now = this.clock();
    const event = toRunRequested(input, {
      runId,
      requestedBy,
      now,
      defaultCandidates: this.deps.config.defaultCandidates,
      eventId: eventIdOf(runId, 'run.requested'),
    });
    await guardStore(() => writeRunPlan(this.deps.runs, event, JSON.stringify(event)));
    try {
      await this.deps.publisher.publish(Topics.runRequestedV1, event);
    } catch (err) {
      // Nothing will work on a run nobody heard of: end it visibly instead of leaving it pending.
      const message = `the run request could not be published: ${err instanceof Error ? err.message : String(err)}`;
      await this.deps.runs
        .finishRun(runId, 'failed', this.clock(), { code: 'PUBLISH_FAILED', message, retryable: true })
        .catch(() => undefined);
      throw new ApiError('unavailable', `Job ${runId} could not be started: ${message}`);
    }
    const run = await guardStore(() => this.deps.runs.getRun(runId));
    return { id: run.id, status: run.status, message: 'NIM workflow started' };
  }

  /** GET /api/jobs */
  public async list(query: unknown): Promise<JobsListResponse> {
    const q = parseListQuery(query);
    const page = await guardStore(
      () =>
        this.deps.runs.listRuns(
          { workload_id: q.workload_id, client_id: q.client_id, status: q.status },
          { limit: q.limit, cursor: q.cursor },
        ),
      'cursor',
    );
    const datasets = await guardStore(() => this.deps.runs.listDatasetsOfRuns(page.items.map((run) => run.id)));
    return listView(page, datasets);
  }

  /** GET /api/jobs/{id} */
  public async get(rawId: unknown): Promise<JobDetailResponse> {
    const id = parseJobId(rawId);
    const run = await this.findRun(id);
    const runs = this.deps.runs;
    const [candidates, evaluations, customizations, datasets, judges] = await guardStore(() =>
      Promise.all([
        runs.listCandidates(id, ALL),
        runs.listEvaluations({ run_id: id }, ALL),
        runs.listCustomizations({ run_id: id }, ALL),
        runs.listDatasets(id, ALL),
        runs.listJudgeRuns(id, ALL),
      ]),
    );
    return detailView(
      {
        run,
        candidates: candidates.items,
        evaluations: evaluations.items,
        customizations: customizations.items,
        datasets: datasets.items,
        judges: judges.items,
      },
      this.clock(),
    );
  }

  /**
   * POST /api/jobs/{id}/cancel — idempotent: a cancelled job answers "already cancelled" (and the request is sent
   * again, with the same event id, in case the first answer was lost before it went out). The request is published
   * before the status is written, so a crash in between still reaches the stages.
   */
  public async cancel(rawId: unknown, requestedBy = 'jobs-api'): Promise<JobActionResponse> {
    const id = parseJobId(rawId);
    const run = await this.findRun(id);
    if (run.status !== 'cancelled' && !OPEN.includes(run.status)) {
      throw new ApiError('conflict', `Cannot cancel job ${id}: it has already finished (status ${run.status}).`);
    }
    const now = this.clock();
    await publishOr503(this.deps.publisher, Topics.runCancelRequestedV1, {
      event_id: eventIdOf(id, 'run.cancel-requested'),
      run_id: id,
      occurred_at: now,
      requested_by: requestedBy,
      reason: null,
    });
    if (run.status === 'cancelled') return { id, message: 'Job is already cancelled.', status: 'cancelled' };
    await guardStore(() =>
      this.deps.runs.finishRun(id, 'cancelled', now, {
        code: 'CANCELLED',
        message: `Job cancelled by ${requestedBy}`,
        retryable: false,
      }),
    );
    const after = await this.findRun(id);
    if (after.status !== 'cancelled') {
      throw new ApiError('conflict', `Cannot cancel job ${id}: it finished first (status ${after.status}).`);
    }
    return { id, message: 'Job cancellation initiated successfully.', status: 'cancelled' };
  }

  /** DELETE /api/jobs/{id} — only a finished job; the services that own platform resources remove them. */
  public async delete(rawId: unknown, deletedBy = 'jobs-api'): Promise<JobActionResponse> {
    const id = parseJobId(rawId);
    const run = await this.findRun(id);
    if (OPEN.includes(run.status)) {
      throw new ApiError('conflict', `Cannot delete job ${id} while it is ${run.status}. Please cancel the job first.`);
    }
    await publishOr503(this.deps.publisher, Topics.runDeletedV1, {
      event_id: eventIdOf(id, 'run.deleted'),
      run_id: id,
      occurred_at: this.clock(),
      deleted_by: deletedBy,
    });
    await guardStore(() => this.deps.runs.deleteRun(id));
    return {
      id,
      message: 'Job deletion started. Resources will be cleaned up in the background.',
    };
  }

  /** GET /api/jobs/{id}/report */
  public async report(rawId: unknown): Promise<JobReport> {
    const id = parseJobId(rawId);
    const run = await this.findRun(id);
    const { candidates, scores } = await this.scores(id);
    return buildReport(run, candidates, scores, this.deps.decision);
  }

  /**
   * POST /api/jobs/{id}/promote — a person puts a model into service for the workload: the recommended one unless
   * the body names another of the run's models. Only a completed run has the evidence for it.
   */
  public async promote(rawId: unknown, body: unknown): Promise<PromoteResponse> {
    const id = parseJobId(rawId);
    const parsed = promoteBodySchema.safeParse(body ?? {});
    if (!parsed.success) throw ApiError.fromZod('unprocessable', 'Invalid promote request', parsed.error);
    const run = await this.findRun(id);
    if (run.status !== 'completed') {
      throw new ApiError('conflict', `Cannot promote from job ${id}: it is ${run.status}, not completed.`);
    }
    const { scores } = await this.scores(id);
    const allowed = scores.flatMap((s) =>
      s.evaluations.length === 0 ? [] : [s.model_name, ...(s.customized_model_name ? [s.customized_model_name] : [])],
    );
    let model = parsed.data.model_name;
    if (model === undefined) {
      const rec = recommend(
        { run_id: id, workload_id: run.workload_id, workload_type: run.workload_type, candidates: scores },
        this.deps.decision,
      );
      if (rec.recommended_model === null) {
        throw new ApiError(
          'unprocessable',
          `Job ${id} recommends no model; name one in model_name (one of: ${allowed.join(', ')})`,
          [{ field: 'model_name', message: 'required when the run recommends no model' }],
        );
      }
      model = rec.recommended_model;
    } else if (!allowed.includes(model)) {
      throw new ApiError(
        'unprocessable',
        `Model '${model}' was not evaluated in job ${id}; evaluated models: ${allowed.join(', ')}`,
        [{ field: 'model_name', message: 'not a model evaluated in this job' }],
      );
    }
    const previous = this.deps.decision.teacherModel;
    await publishOr503(this.deps.publisher, Topics.modelPromotedV1, {
      event_id: eventIdOf(id, `model.promoted\u0000${model}`),
      run_id: id,
      occurred_at: this.clock(),
      workload_id: run.workload_id,
      model_name: model,
      previous_model: previous,
      promoted_by: parsed.data.promoted_by,
      reason: parsed.data.reason,
    });
    return {
      id,
      model_name: model,
      previous_model: previous,
      message: `Model ${model} promoted for ${run.workload_id}.`,
    };
  }

  private async scores(id: string) {
    const runs = this.deps.runs;
    const [candidates, evaluations] = await guardStore(() =>
      Promise.all([runs.listCandidates(id, ALL), runs.listEvaluations({ run_id: id }, ALL)]),
    );
    const scores = await guardStore(() => candidateScoresOf(runs, id, candidates.items, evaluations.items));
    return { candidates: candidates.items, scores };
  }

  private async findRun(id: string): Promise<Awaited<ReturnType<RunStore['getRun']>>> {
    try {
      return await guardStore(() => this.deps.runs.getRun(id));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') throw new ApiError('not_found', `Job ${id} not found`);
      throw err;
    }
  }

  /** The overrides must make a valid effective config over the service's; returns the effective min_total_records. */
  private checkOverrides(input: RunRequestInput): number {
    const override = {
      ...(input.data_split_config ? { data_split_config: input.data_split_config } : {}),
      ...(input.icl_config ? { icl_config: input.icl_config } : {}),
      ...(input.training_config ? { training_config: input.training_config } : {}),
    };
    try {
      return resolveJobConfig(this.deps.config.curation, override).data_split_config.min_total_records;
    } catch (err) {
      if (err instanceof CurationConfigError) {
        throw ApiError.withFields(
          'unprocessable',
          'Invalid job request',
          err.issues.map((i) => ({ field: i.path, message: i.message })),
        );
      }
      throw err;
    }
  }

  /** Unknown workloads and workloads with too few records are refused up front (the blueprint accepted them). */
  private async checkWorkload(workloadId: string, clientId: string, minRecords: number): Promise<void> {
    const counts = await guardStore(() => this.deps.logs.countByWorkload({ clientId }));
    const count = counts.find((c) => c.workload_id === workloadId)?.count ?? 0;
    if (count === 0) {
      const known = counts.map((c) => c.workload_id).slice(0, 20);
      throw new ApiError(
        'unprocessable',
        `Unknown workload: no records are logged for workload_id '${workloadId}' and client_id '${clientId}'` +
          (known.length > 0 ? ` (this client has: ${known.join(', ')})` : ' (this client has no logged records)'),
        [{ field: 'workload_id', message: 'no logged records for this workload and client' }],
      );
    }
    if (count < minRecords) {
      throw new ApiError(
        'unprocessable',
        `Too few records: workload '${workloadId}' of client '${clientId}' has ${count} logged record` +
          `${count === 1 ? '' : 's'}; a run needs at least ${minRecords} (data_split_config.min_total_records)`,
        [{ field: 'workload_id', message: `${count} records, at least ${minRecords} needed` }],
      );
    }
  }
}

/** A broker that does not take the event is a 503 that says so (nothing was changed yet). */
async function publishOr503<T extends TopicOf<FlywheelCatalogue>>(
  publisher: EventPublisher<FlywheelCatalogue>,
  topic: T,
  payload: PayloadOf<FlywheelCatalogue, T>,
): Promise<void> {
  try {
    await publisher.publish(topic, payload);
  } catch (err) {
    throw new ApiError(
      'unavailable',
      `The event bus did not accept ${topic}: ${err instanceof Error ? err.message : String(err)}; nothing was changed`,
    );
  }
}

/** Store failures as API errors: unknown → 404, a bad cursor → 400, a store that is down → 503. */
async function guardStore<T>(call: () => Promise<T>, inputField?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof NotFoundError) throw new ApiError('not_found', err.message);
    if (err instanceof StoreError) {
      if (err.kind === 'invalid' && inputField !== undefined) {
        throw new ApiError('bad_request', `Invalid ${inputField}: ${err.message}`, [
          { field: inputField, message: err.message },
        ]);
      }
      if (err.retryable) throw new ApiError('unavailable', `The store is unavailable: ${err.message}`);
    }
    throw err;
  }
}
