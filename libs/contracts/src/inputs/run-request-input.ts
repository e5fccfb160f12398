// The jobs API body (`POST /api/jobs`): the blueprint's `{workload_id, client_id, data_split_config?}` plus optional
// candidates and ICL/training/LoRA overrides. Unknown keys are rejected, so a typo is a 400, not a silent default.
// Only the fields given override the configuration (the blueprint filled the rest with model defaults).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type CandidateModelV1, type RunRequestedV1 } from '../generated';

const positiveInt = z.number().int().positive();

const candidateInput = z
  .object({
    model_name: z.string().trim().min(1),
    context_length: positiveInt.optional(),
    icl_enabled: z.boolean().default(true),
    customization_enabled: z.boolean().default(false),
  })
  .strict();

const dataSplitInput = z
  .object({
    eval_size: positiveInt,
    val_ratio: z.number().min(0).lt(1),
    min_total_records: positiveInt,
    random_seed: z.number().int().nullable(),
    limit: positiveInt,
    parse_function_arguments: z.boolean(),
  })
  .partial()
  .strict();

const iclInput = z
  .object({
    max_context_length: positiveInt,
    reserved_tokens: z.number().int().nonnegative(),
    max_examples: positiveInt,
    min_examples: z.number().int().nonnegative(),
    example_selection: z.enum(['semantic_similarity', 'uniform_distribution']),
  })
  .partial()
  .strict()
  .refine((c) => c.max_context_length === undefined || (c.reserved_tokens ?? 0) < c.max_context_length, {
    message: 'reserved_tokens must be below max_context_length',
  })
  .refine((c) => c.min_examples === undefined || c.max_examples === undefined || c.min_examples <= c.max_examples, {
    message: 'min_examples must not exceed max_examples',
  });

const trainingInput = z
  .object({
    training_type: z.literal('sft'),
    finetuning_type: z.literal('lora'),
    epochs: positiveInt,
    batch_size: positiveInt,
    learning_rate: z.number().positive().finite(),
  })
  .partial()
  .strict();

const loraInput = z
  .object({ adapter_dim: positiveInt, adapter_dropout: z.number().min(0).lt(1) })
  .partial()
  .strict();

export const runRequestInputSchema = z
  .object({
    workload_id: z.string().trim().min(1),
    client_id: z.string().trim().min(1),
    candidates: z.array(candidateInput).min(1).optional(),
    data_split_config: dataSplitInput.optional(),
    icl_config: iclInput.optional(),
    training_config: trainingInput.optional(),
    lora_config: loraInput.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const names = (body.candidates ?? []).map((c) => c.model_name);
    if (new Set(names).size !== names.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['candidates'],
        message: 'candidates must not repeat a model',
      });
    }
    const maxExamples = body.icl_config?.max_examples;
    const evalSize = body.data_split_config?.eval_size;
    // The blueprint checked this only against the global config; a per-run override must hold too.
    if (maxExamples !== undefined && evalSize !== undefined && maxExamples > evalSize) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['icl_config', 'max_examples'],
        message: 'max_examples must not exceed data_split_config.eval_size',
      });
    }
  });

export type RunRequestInput = z.infer<typeof runRequestInputSchema>;

export interface RunRequestContext {
  readonly runId: string;
  readonly requestedBy: string;
  /** Epoch milliseconds; stamps both requested_at and occurred_at. */
  readonly now: number;
  /** The configured candidates, used when the body names none. */
  readonly defaultCandidates: readonly CandidateModelV1[];
  /** The event id; a fresh UUID when absent. */
  readonly eventId?: string;
}

/** Converts a validated jobs-API body to the Avro payload of `flywheel.run.requested.v1`. */
export function toRunRequested(input: RunRequestInput, ctx: RunRequestContext): RunRequestedV1 {
  const candidates =
    input.candidates?.map((c) => ({
      model_name: c.model_name,
      context_length: c.context_length ?? null,
      icl_enabled: c.icl_enabled,
      customization_enabled: c.customization_enabled,
    })) ?? ctx.defaultCandidates;
  if (candidates.length === 0) throw new Error('a run needs at least one candidate model and none are configured');
  const split = input.data_split_config;
  const icl = input.icl_config;
  const training = input.training_config;
  const lora = input.lora_config;
  return {
    event_id: ctx.eventId ?? randomUUID(),
    run_id: ctx.runId,
    occurred_at: ctx.now,
    workload_id: input.workload_id,
    client_id: input.client_id,
    candidates,
    data_split: split
      ? {
          eval_size: split.eval_size ?? null,
          val_ratio: split.val_ratio ?? null,
          min_total_records: split.min_total_records ?? null,
          random_seed: split.random_seed ?? null,
          limit: split.limit ?? null,
          parse_function_arguments: split.parse_function_arguments ?? null,
        }
      : null,
    icl: icl
      ? {
          max_context_length: icl.max_context_length ?? null,
          reserved_tokens: icl.reserved_tokens ?? null,
          max_examples: icl.max_examples ?? null,
          min_examples: icl.min_examples ?? null,
          example_selection: icl.example_selection ?? null,
        }
      : null,
    training: training
      ? {
          training_type: training.training_type ?? null,
          finetuning_type: training.finetuning_type ?? null,
          epochs: training.epochs ?? null,
          batch_size: training.batch_size ?? null,
          learning_rate: training.learning_rate ?? null,
        }
      : null,
    lora: lora ? { adapter_dim: lora.adapter_dim ?? null, adapter_dropout: lora.adapter_dropout ?? null } : null,
    requested_by: ctx.requestedBy,
    requested_at: ctx.now,
  };
}
