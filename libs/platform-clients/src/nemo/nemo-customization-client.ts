// Customizer (§3.4). Fixes: the cancel path is `POST /v1/customization/jobs/{id}/cancel` (§10.6), 201 is
// accepted for configs and jobs (§10.6), a missing job id is refused before any call (§10.14), output model and
// job names are unique per run and contain no `/` (§10.25), `pending` keeps waiting and `NotEnoughResources`
// is reported as such when the job never starts. Losses come from the status's `metrics` (`train_loss` / `val_loss`
// lists of `{step, value, timestamp}`); `findJob` pages through `GET /v1/customization/jobs` (NeMo has no
// output-model filter) to re-attach to a job whose creation was interrupted.
import { PlatformArgumentError, PlatformNotFoundError } from '../errors';
import { FlywheelPlatformAttr, GenAiAttr } from '../http/genai-attributes';
import { type HttpClient, parseJson } from '../http/http-client';
import {
  type CustomizationClient,
  type CustomizationConfigRef,
  type CustomizationConfigSpec,
  type CustomizationJob,
  type CustomizationJobIdentity,
  type CustomizationJobSpec,
} from '../ports/customization-client';
import { type WaitOptions } from '../ports/jobs';
import { normaliseStatus } from '../status';
import { slug } from '../util/names';
import { waitForJob } from '../wait-for-job';
import { type NemoConfig } from './nemo-config';
import {
  customizationJobPageSchema,
  customizationJobSchema,
  customizationStatusSchema,
  modelEntitySchema,
  type NemoCustomizationJob,
  type NemoCustomizationStatus,
} from './nemo-schemas';

/** Page size of the job list scan, and how many pages it reads at most (newest first, so the job sought is early). */
const FIND_PAGE_SIZE = 100;
const FIND_MAX_PAGES = 50;

export class NemoCustomizationClient implements CustomizationClient {
  private readonly outputModels = new Map<string, string>();

  public constructor(
    private readonly nemo: HttpClient,
    private readonly config: NemoConfig,
  ) {}

  public async ensureConfig(spec: CustomizationConfigSpec): Promise<CustomizationConfigRef> {
    const parts = spec.baseModel.split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new PlatformArgumentError(
        'customizer.createConfig',
        `base model ${spec.baseModel} must contain exactly one "/"`,
      );
    }
    const ref = { namespace: this.config.namespace, name: `${parts[1]}@v1.0.0+dfw` };
    await this.nemo.send({
      call: 'customizer.createConfig',
      method: 'POST',
      path: '/v1/customization/configs',
      json: {
        name: ref.name,
        namespace: ref.namespace,
        target: spec.target,
        training_options: [
          {
            training_type: spec.trainingType ?? 'sft',
            finetuning_type: spec.finetuningType ?? 'lora',
            num_gpus: spec.gpus,
            num_nodes: spec.numNodes ?? 1,
            tensor_parallel_size: spec.tensorParallelSize ?? 1,
            data_parallel_size: spec.dataParallelSize ?? 1,
            use_sequence_parallel: spec.useSequenceParallel ?? false,
            micro_batch_size: spec.microBatchSize ?? 1,
          },
        ],
        training_precision: spec.trainingPrecision ?? 'bf16-mixed',
        max_seq_length: spec.maxSeqLength ?? 4096,
      },
      accept: [200, 201, 409],
    });
    return ref;
  }

  public async createJob(spec: CustomizationJobSpec): Promise<CustomizationJob> {
    const outputModel = this.outputModelFor(spec);
    const body = await this.nemo.json({
      call: 'customizer.createJob',
      method: 'POST',
      path: '/v1/customization/jobs',
      spanAttributes: {
        [GenAiAttr.requestModel]: spec.baseModel,
        [FlywheelPlatformAttr.runId]: spec.runId,
        [FlywheelPlatformAttr.workloadId]: spec.workloadId,
      },
      json: {
        name: `customization-${slug(spec.workloadId)}-${slug(spec.baseModel)}-${slug(spec.runId)}`,
        output_model: outputModel,
        config: `${spec.config.namespace}/${spec.config.name}`,
        dataset: { name: spec.dataset.name, namespace: spec.dataset.namespace },
        hyperparameters: {
          training_type: spec.hyperparameters.trainingType,
          finetuning_type: spec.hyperparameters.finetuningType,
          epochs: spec.hyperparameters.epochs,
          batch_size: spec.hyperparameters.batchSize,
          learning_rate: spec.hyperparameters.learningRate,
          lora: {
            adapter_dim: spec.hyperparameters.lora.adapterDim,
            adapter_dropout: spec.hyperparameters.lora.adapterDropout,
          },
        },
      },
      schema: customizationJobSchema,
    });
    const model = body.output_model ?? outputModel;
    this.outputModels.set(body.id, model);
    const { status, raw } = normaliseStatus(body.status ?? 'created');
    return {
      id: body.id,
      outputModel: model,
      status,
      rawStatus: raw,
      progress: 0,
      message: null,
      error: null,
      epochsCompleted: 0,
      stepsCompleted: 0,
      trainLoss: null,
      valLoss: null,
    };
  }

  public async getJob(jobId: string): Promise<CustomizationJob> {
    const id = requireId('customizer.getJob', jobId);
    const call = 'customizer.getJobStatus';
    const res = await this.nemo.send({
      call,
      method: 'GET',
      path: `/v1/customization/jobs/${id}/status`,
      accept: [200, 404],
    });
    if (res.status === 404) throw new PlatformNotFoundError(call, `customization job ${jobId}`);
    const body = parseJson(call, res.text, customizationStatusSchema);
    return snapshotOf(jobId, await this.outputModelOf(id), body);
  }

  public async findJob(identity: CustomizationJobIdentity): Promise<CustomizationJob | null> {
    const wanted = this.outputModelFor(identity);
    const matches: NemoCustomizationJob[] = [];
    // Newest first: the job sought was created moments before the process stopped.
    for (let page = 1; page <= FIND_MAX_PAGES; page++) {
      const body = await this.nemo.json({
        call: 'customizer.listJobs',
        method: 'GET',
        path: `/v1/customization/jobs?page=${page}&page_size=${FIND_PAGE_SIZE}&sort=-created_at`,
        schema: customizationJobPageSchema,
      });
      matches.push(...body.data.filter((j) => producesModel(j.output_model, wanted)));
      const pages = body.pagination?.total_pages;
      if (body.data.length === 0 || (pages !== undefined ? page >= pages : body.data.length < FIND_PAGE_SIZE)) break;
    }
    const live = matches.find((j) => !isOver(j));
    const job = live ?? matches[0];
    if (job === undefined) return null;
    const model = job.output_model ?? wanted;
    this.outputModels.set(job.id, model);
    const details = job.status_details ?? { status: job.status ?? 'created' };
    return snapshotOf(job.id, model, job.status !== undefined ? { ...details, status: job.status } : details);
  }

  public async cancelJob(jobId: string): Promise<void> {
    const id = requireId('customizer.cancelJob', jobId);
    await this.nemo.send({
      call: 'customizer.cancelJob',
      method: 'POST',
      path: `/v1/customization/jobs/${id}/cancel`,
      // 409: already finished — nothing left to cancel.
      accept: [200, 202, 204, 409],
      idempotent: true,
    });
  }

  public waitForCompletion(jobId: string, options: WaitOptions<CustomizationJob> = {}): Promise<CustomizationJob> {
    requireId('customizer.waitForCompletion', jobId);
    return waitForJob('customizer.waitForCompletion', () => this.getJob(jobId), { ...this.config.wait, ...options });
  }

  public async deleteModel(model: string): Promise<void> {
    const path = `/v1/models/${model.split('/').map(encodeURIComponent).join('/')}`;
    const found = await this.nemo.send({ call: 'entityStore.getModel', method: 'GET', path, accept: [200, 404] });
    if (found.status === 404) return;
    parseJson('entityStore.getModel', found.text, modelEntitySchema);
    await this.nemo.send({ call: 'entityStore.deleteModel', method: 'DELETE', path, accept: [200, 204, 404] });
  }

  public async deleteConfig(ref: CustomizationConfigRef): Promise<void> {
    await this.nemo.send({
      call: 'customizer.deleteConfig',
      method: 'DELETE',
      path: `/v1/customization/configs/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`,
      accept: [200, 204, 404],
    });
  }

  private outputModelFor(identity: CustomizationJobIdentity): string {
    return `${this.config.namespace}/customized-${slug(identity.baseModel)}-${slug(identity.runId)}`;
  }

  private async outputModelOf(id: string): Promise<string> {
    const known = this.outputModels.get(id);
    if (known) return known;
    const body = await this.nemo.json({
      call: 'customizer.getJob',
      method: 'GET',
      path: `/v1/customization/jobs/${id}`,
      schema: customizationJobSchema,
    });
    const model = body.output_model ?? '';
    if (model) this.outputModels.set(id, model);
    return model;
  }
}

/** A status document (the `/status` answer or a listed job's `status_details`) as the port's snapshot. */
function snapshotOf(jobId: string, outputModel: string, body: NemoCustomizationStatus): CustomizationJob {
  const { status, raw } = normaliseStatus(body.status);
  const logs = body.status_logs ?? [];
  const last = logs[logs.length - 1];
  const detail = [...logs].reverse().find((l) => l.detail)?.detail ?? null;
  const losses = body.metrics?.metrics;
  return {
    id: jobId,
    outputModel,
    status,
    rawStatus: raw,
    progress: status === 'succeeded' ? 100 : (body.percentage_done ?? null),
    message: last?.message ?? null,
    error: status === 'failed' ? (detail ?? 'No error details available') : null,
    epochsCompleted: body.epochs_completed ?? 0,
    stepsCompleted: body.steps_completed ?? 0,
    trainLoss: latestValue(losses?.train_loss),
    valLoss: latestValue(losses?.val_loss),
  };
}

/** The value logged at the highest step (the list's last when steps are missing); null when none is a number. */
function latestValue(
  values: readonly { step?: number | null; value?: number | null }[] | null | undefined,
): number | null {
  let best: { step: number; value: number } | null = null;
  for (const [i, v] of (values ?? []).entries()) {
    if (typeof v.value !== 'number' || !Number.isFinite(v.value)) continue;
    const step = v.step ?? i;
    if (best === null || step >= best.step) best = { step, value: v.value };
  }
  return best?.value ?? null;
}

/** NeMo may suffix the output model with the job id (`ns/name@cust-…`); both forms name the same model. */
function producesModel(actual: string | null | undefined, wanted: string): boolean {
  return actual === wanted || (typeof actual === 'string' && actual.startsWith(`${wanted}@`));
}

function isOver(job: NemoCustomizationJob): boolean {
  const status = normaliseStatus(job.status ?? job.status_details?.status ?? 'created').status;
  return status === 'failed' || status === 'cancelled';
}

/** Refuses null/empty ids (the blueprint cancelled `job_id = None`, §10.14) and encodes the rest. */
export function requireId(call: string, jobId: unknown): string {
  if (typeof jobId !== 'string' || jobId.trim() === '') {
    throw new PlatformArgumentError(call, `job id is ${jobId === '' ? 'empty' : String(jobId)}`);
  }
  return encodeURIComponent(jobId);
}
