// Training settings of one job: the run's overrides (`training`, `lora` of run.requested; a null field keeps the
// configured value) over the service's settings (CUSTOMIZER_TRAINING_CONFIG / CUSTOMIZER_LORA_CONFIG), themselves
// over the blueprint's defaults. The merged result is checked as a whole, and problems are named in the request's
// terms (`training.epochs`), so a bad override fails that customization with a message the requester recognises.
import { type LoraConfigV1, type TrainingConfigV1 } from '@flywheel/contracts';
import { type Hyperparameters } from '@flywheel/platform-clients';
import { z } from 'zod';

/** Service-level training settings (snake_case, as the blueprint's `training_config`). */
export const trainingSettingsSchema = z
  .object({
    training_type: z.string().min(1).default('sft'),
    finetuning_type: z.string().min(1).default('lora'),
    epochs: z.number().int().min(1).default(2),
    batch_size: z.number().int().min(1).default(16),
    learning_rate: z.number().positive().finite().default(0.0001),
  })
  .strict();

/** Service-level LoRA settings (as the blueprint's `lora_config`). */
export const loraSettingsSchema = z
  .object({
    adapter_dim: z.number().int().min(1).default(32),
    adapter_dropout: z.number().min(0).lt(1).default(0.1),
  })
  .strict();

export type TrainingSettings = z.output<typeof trainingSettingsSchema>;
export type LoraSettings = z.output<typeof loraSettingsSchema>;

export interface ServiceTraining {
  readonly training: TrainingSettings;
  readonly lora: LoraSettings;
}

export type MergeResult =
  | { readonly ok: true; readonly hyperparameters: Hyperparameters }
  | { readonly ok: false; readonly problems: readonly string[] };

export function mergeHyperparameters(
  service: ServiceTraining,
  training: TrainingConfigV1 | null,
  lora: LoraConfigV1 | null,
): MergeResult {
  const problems: string[] = [];
  // `unknown` is what an Avro reader makes of an enum symbol it does not know: a method this service cannot run.
  const trainingType = pick(training?.training_type, service.training.training_type);
  const finetuningType = pick(training?.finetuning_type, service.training.finetuning_type);
  if (trainingType === 'unknown') problems.push('training.training_type: a training method this service does not know');
  if (finetuningType === 'unknown') {
    problems.push('training.finetuning_type: a fine-tuning method this service does not know');
  }
  const h: Hyperparameters = {
    trainingType,
    finetuningType,
    epochs: pick(training?.epochs, service.training.epochs),
    batchSize: pick(training?.batch_size, service.training.batch_size),
    learningRate: pick(training?.learning_rate, service.training.learning_rate),
    lora: {
      adapterDim: pick(lora?.adapter_dim, service.lora.adapter_dim),
      adapterDropout: pick(lora?.adapter_dropout, service.lora.adapter_dropout),
    },
  };
  if (!isWholeAtLeast(h.epochs, 1)) problems.push(`training.epochs: must be a whole number >= 1 (got ${h.epochs})`);
  if (!isWholeAtLeast(h.batchSize, 1)) {
    problems.push(`training.batch_size: must be a whole number >= 1 (got ${h.batchSize})`);
  }
  if (!(Number.isFinite(h.learningRate) && h.learningRate > 0)) {
    problems.push(`training.learning_rate: must be a number > 0 (got ${h.learningRate})`);
  }
  if (!isWholeAtLeast(h.lora.adapterDim, 1)) {
    problems.push(`lora.adapter_dim: must be a whole number >= 1 (got ${h.lora.adapterDim})`);
  }
  const d = h.lora.adapterDropout;
  if (!(Number.isFinite(d) && d >= 0 && d < 1)) problems.push(`lora.adapter_dropout: must be in [0, 1) (got ${d})`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, hyperparameters: h };
}

function pick<T>(override: T | null | undefined, configured: T): T {
  return override === null || override === undefined ? configured : override;
}

function isWholeAtLeast(n: number, min: number): boolean {
  return Number.isSafeInteger(n) && n >= min;
}

/** The effective settings as customization.started carries them. */
export function effectiveTrainingOf(h: Hyperparameters) {
  return {
    training_type: h.trainingType,
    finetuning_type: h.finetuningType,
    epochs: h.epochs,
    batch_size: h.batchSize,
    learning_rate: h.learningRate,
    adapter_dim: h.lora.adapterDim,
    adapter_dropout: h.lora.adapterDropout,
  };
}

export const hyperparametersSchema = z.object({
  trainingType: z.string(),
  finetuningType: z.string(),
  epochs: z.number(),
  batchSize: z.number(),
  learningRate: z.number(),
  lora: z.object({ adapterDim: z.number(), adapterDropout: z.number() }),
});
