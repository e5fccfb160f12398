// NeMo Customizer: configs, jobs (status with progress, epochs, steps and the training/validation losses), the
// paginated job list, cancel at the real path `POST /v1/customization/jobs/{id}/cancel`. Creating configs and jobs
// answers 201.
import { z } from 'zod';
import { type Router } from '../http/router';
import { fail, jsonBody, ok } from '../http/reply';
import { nonBlankLines } from '../state/jsonl-files';
import { type PlatformState } from '../state/platform-state';
import { type CustomizationJobRecord } from '../state/records';

const configBody = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    target: z.string().min(1),
    training_options: z
      .array(
        z
          .object({ num_gpus: z.number().int().min(0).default(1), num_nodes: z.number().int().min(1).default(1) })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();

const jobBody = z
  .object({
    name: z.string().min(1),
    output_model: z.string().regex(/^[^/]+\/[^/]+$/, 'output_model must be namespace/name'),
    config: z.string().regex(/^[^/]+\/.+$/),
    dataset: z.object({ name: z.string().min(1), namespace: z.string().min(1) }),
    hyperparameters: z
      .object({ epochs: z.number().int().min(1).default(2), batch_size: z.number().int().min(1).default(16) })
      .passthrough(),
  })
  .passthrough();

export function registerCustomizerRoutes(router: Router, state: PlatformState): void {
  router.add('POST', '/v1/customization/configs', (req) => {
    const body = jsonBody(req, configBody);
    const key = `${body.namespace}/${body.name}`;
    if (state.customizationConfigs.has(key)) return fail(409, `customization config ${key} already exists`);
    state.customizationConfigs.set(key, body);
    return ok(body, 201);
  });
  router.add('DELETE', '/v1/customization/configs/:ns/:name', (_req, p) =>
    state.customizationConfigs.delete(`${p.ns}/${p.name}`)
      ? ok({ message: 'deleted' })
      : fail(404, `customization config ${p.ns}/${p.name} not found`),
  );

  router.add('POST', '/v1/customization/jobs', (req) => {
    const body = jsonBody(req, jobBody);
    if (body.name.includes('/')) return fail(422, `job name ${body.name} must not contain "/"`);
    const config = state.customizationConfigs.get(body.config);
    if (!config) return fail(404, `customization config ${body.config} not found`);
    const datasetKey = `${body.dataset.namespace}/${body.dataset.name}`;
    const repo = state.repos.get(datasetKey);
    if (!state.datasets.has(datasetKey) || !repo) return fail(404, `dataset ${datasetKey} not found`);
    if (
      state.models.has(body.output_model) ||
      [...state.customizationJobs.values()].some(
        (j) => j.outputModel === body.output_model && j.status !== 'failed' && j.status !== 'cancelled',
      )
    ) {
      return fail(409, `output model ${body.output_model} already exists`);
    }
    const parsedConfig = configBody.parse(config);
    const options = parsedConfig.training_options[0];
    const trainingRecords = countTrainingRecords(repo);
    if (trainingRecords === 0) return fail(422, `dataset ${datasetKey} has no training records`);
    const job: CustomizationJobRecord = {
      id: state.nextId('cust'),
      name: body.name,
      namespace: body.output_model.split('/')[0] ?? '',
      outputModel: body.output_model,
      baseModel: parsedConfig.target.split('@')[0] ?? parsedConfig.target,
      config: body.config,
      dataset: body.dataset,
      hyperparameters: body.hyperparameters,
      trainingRecords,
      gpus: (options?.num_gpus ?? 1) * (options?.num_nodes ?? 1),
      epochs: body.hyperparameters.epochs,
      stepsPerEpoch: Math.ceil(trainingRecords / body.hyperparameters.batch_size),
      createdAt: state.now(),
      startedAt: null,
      stepsDone: 0,
      status: 'created',
      logs: [],
      fault: null,
    };
    job.fault = state.faults.takeJobFault('customization', job.baseModel);
    state.customizationJobs.set(job.id, job);
    return ok(jobView(job, state), 201);
  });

  // NeMo's list: `page` (from 1), `page_size`, `sort` (`created_at`, `-created_at` for newest first) and
  // `filter[status|namespace|base_model]`; answers `{object: 'list', data, pagination: {page, page_size,
  // current_page_size, total_pages, total_results}}`. It has no output-model filter, like NeMo's.
  router.add('GET', '/v1/customization/jobs', (req) => {
    const q = req.query ?? new URLSearchParams();
    const page = positiveInt(q.get('page'), 1);
    const pageSize = positiveInt(q.get('page_size'), 10);
    if (page === null || pageSize === null || pageSize > 1000) {
      return fail(422, 'page and page_size must be whole numbers >= 1 (page_size <= 1000)');
    }
    const sort = q.get('sort') ?? 'created_at';
    if (sort !== 'created_at' && sort !== '-created_at') return fail(422, `cannot sort by ${sort}`);
    const filters: [string, (j: CustomizationJobRecord) => string][] = [
      ['status', (j) => j.status],
      ['namespace', (j) => j.namespace],
      ['base_model', (j) => j.baseModel],
    ];
    let jobs = [...state.customizationJobs.values()];
    for (const [field, value] of filters) {
      const wanted = q.get(`filter[${field}]`);
      if (wanted !== null) jobs = jobs.filter((j) => value(j) === wanted);
    }
    // Stable: jobs created in the same millisecond keep their creation order.
    const ordered = jobs.map((j, i) => ({ j, i })).sort((a, b) => a.j.createdAt - b.j.createdAt || a.i - b.i);
    if (sort === '-created_at') ordered.reverse();
    const slice = ordered.slice((page - 1) * pageSize, page * pageSize).map(({ j }) => jobView(j, state));
    return ok({
      object: 'list',
      data: slice,
      pagination: {
        page,
        page_size: pageSize,
        current_page_size: slice.length,
        total_pages: Math.ceil(jobs.length / pageSize),
        total_results: jobs.length,
      },
      sort,
    });
  });
  router.add('GET', '/v1/customization/jobs/:id', (_req, p) => {
    const j = state.customizationJobs.get(p.id ?? '');
    return j ? ok(jobView(j, state)) : fail(404, `customization job ${p.id} not found`);
  });
  router.add('GET', '/v1/customization/jobs/:id/status', (_req, p) => {
    const j = state.customizationJobs.get(p.id ?? '');
    return j ? ok(statusView(j, state)) : fail(404, `customization job ${p.id} not found`);
  });
  router.add('POST', '/v1/customization/jobs/:id/cancel', (_req, p) => {
    const j = state.customizationJobs.get(p.id ?? '');
    if (!j) return fail(404, `customization job ${p.id} not found`);
    if (j.status === 'completed' || j.status === 'failed')
      return fail(409, `customization job ${j.id} already ${j.status}`);
    state.cancelCustomization(j);
    return ok(jobView(j, state));
  });
}

/** Lines of the dataset's training files (anything not named eval/validation; all files if that leaves none). */
function countTrainingRecords(repo: Map<string, Buffer>): number {
  const count = (paths: string[]): number => paths.reduce((n, p) => n + nonBlankLines(repo.get(p) ?? EMPTY), 0);
  const all = [...repo.keys()];
  const training = all.filter((p) => !/eval|valid/i.test(p));
  return count(training.length > 0 ? training : all);
}

const EMPTY = Buffer.alloc(0);

function positiveInt(raw: string | null, fallback: number): number | null {
  if (raw === null) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** How often NeMo logs the training loss (its `log_every_n_steps` default). */
const LOSS_EVERY_N_STEPS = 10;

/**
 * Training and validation losses of the steps done so far, in NeMo's shape (`metrics: {keys, metrics: {train_loss,
 * val_loss: [{step, value, timestamp}]}}`): the training loss every 10 steps (and at the last step done), the
 * validation loss at each epoch's end. The values fall smoothly towards a floor, as a LoRA fine-tune's do.
 */
function lossMetrics(j: CustomizationJobRecord, stepMs: number): Record<string, unknown> {
  const total = Math.max(1, j.epochs * j.stepsPerEpoch);
  const trainLoss = (step: number): number => round4(0.35 + 1.65 * Math.exp((-3 * step) / total));
  const at = (step: number): string | null =>
    j.startedAt === null ? null : new Date(j.startedAt + step * stepMs).toISOString();
  const train: { step: number; value: number; timestamp: string | null }[] = [];
  for (let step = 1; step <= j.stepsDone; step++) {
    if (step % LOSS_EVERY_N_STEPS === 0 || step === j.stepsDone) {
      train.push({ step, value: trainLoss(step), timestamp: at(step) });
    }
  }
  const val: { step: number; value: number; timestamp: string | null }[] = [];
  for (let epoch = 1; epoch * j.stepsPerEpoch <= j.stepsDone; epoch++) {
    const step = epoch * j.stepsPerEpoch;
    // Validation sits a little above training and flattens out sooner.
    val.push({ step, value: round4(trainLoss(step) + 0.05 + 0.02 * epoch), timestamp: at(step) });
  }
  return { keys: ['train_loss', 'val_loss'], metrics: { train_loss: train, val_loss: val } };
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

function statusView(j: CustomizationJobRecord, state: PlatformState): Record<string, unknown> {
  const total = j.epochs * j.stepsPerEpoch;
  return {
    id: j.id,
    status: j.status,
    percentage_done: total === 0 ? 0 : Math.round((j.stepsDone / total) * 1000) / 10,
    epochs_completed: Math.floor(j.stepsDone / Math.max(1, j.stepsPerEpoch)),
    steps_completed: j.stepsDone,
    steps_per_epoch: j.stepsPerEpoch,
    metrics: lossMetrics(j, state.options.delays.customizationStepMs),
    status_logs: j.logs,
  };
}

function jobView(j: CustomizationJobRecord, state: PlatformState): Record<string, unknown> {
  return {
    id: j.id,
    name: j.name,
    namespace: j.namespace,
    config: j.config,
    dataset: j.dataset,
    hyperparameters: j.hyperparameters,
    output_model: j.outputModel,
    status: j.status,
    status_details: statusView(j, state),
    created_at: new Date(j.createdAt).toISOString(),
  };
}
