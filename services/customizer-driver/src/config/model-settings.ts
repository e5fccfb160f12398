// Per-model Customizer settings: the blueprint's `nims[].customizer_configs` (snake_case, pasted as is), with defaults
// the platform simulator accepts for models that have no entry (target `<model>@2.0`, one GPU).
import { type CustomizationConfigSpec } from '@flywheel/platform-clients';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const customizerConfigsSchema = z
  .object({
    target: z.string().min(1).optional(),
    gpus: positiveInt.optional(),
    num_nodes: positiveInt.default(1),
    tensor_parallel_size: positiveInt.default(1),
    data_parallel_size: positiveInt.default(1),
    use_sequence_parallel: z.boolean().default(false),
    micro_batch_size: positiveInt.default(1),
    training_precision: z.string().min(1).default('bf16-mixed'),
    max_seq_length: positiveInt.default(4096),
  })
  .strict();

/**
 * One entry of the blueprint's `nims` list. The keys the deployer reads (context_length, gpus, tag, …) are accepted
 * so the same list can be pasted into both services; only `customizer_configs` is used here.
 */
const nimEntrySchema = z
  .object({
    model_name: z.string().min(1),
    customizer_configs: customizerConfigsSchema.default({}),
    model_type: z.unknown().optional(),
    context_length: z.unknown().optional(),
    gpus: z.unknown().optional(),
    pvc_size: z.unknown().optional(),
    tag: z.unknown().optional(),
    registry_base: z.unknown().optional(),
    customization_enabled: z.unknown().optional(),
  })
  .strict();

export const modelSettingsSchema = z.array(nimEntrySchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((n, i) => {
    if (seen.has(n.model_name)) {
      ctx.addIssue({ code: 'custom', path: [i, 'model_name'], message: `${n.model_name} is listed twice` });
    }
    seen.add(n.model_name);
  });
});

export type ModelSettingsInput = z.input<typeof modelSettingsSchema>;
export type ModelSettings = z.output<typeof modelSettingsSchema>;

/** The Customizer config spec of `model`: its entry's settings, else the defaults. */
export function configSpecFor(
  model: string,
  settings: ModelSettings,
  training: { readonly trainingType: string; readonly finetuningType: string },
): CustomizationConfigSpec {
  const c = settings.find((n) => n.model_name === model)?.customizer_configs ?? customizerConfigsSchema.parse({});
  return {
    baseModel: model,
    target: c.target ?? `${model}@2.0`,
    gpus: c.gpus ?? 1,
    numNodes: c.num_nodes,
    tensorParallelSize: c.tensor_parallel_size,
    dataParallelSize: c.data_parallel_size,
    useSequenceParallel: c.use_sequence_parallel,
    microBatchSize: c.micro_batch_size,
    trainingPrecision: c.training_precision,
    maxSeqLength: c.max_seq_length,
    trainingType: training.trainingType,
    finetuningType: training.finetuningType,
  };
}
