// Config of the NeMo backend (§6 of the blueprint inventory: nmp_config, nims, llm_judge_config), camelCase.
import { z } from 'zod';
import { retryPolicySchema } from '../http/retry';
import { type JudgeRef } from '../ports/evaluation-client';

export const nemoConfigSchema = z.object({
  /** Entity Store, Customizer, Evaluator and Deployment Management behind one ingress. */
  nemoBaseUrl: z.string().url(),
  /** NIM proxy (OpenAI-compatible inference for every deployed model). */
  nimBaseUrl: z.string().url(),
  /** Data Store (Hugging Face Hub protocol under `/v1/hf`). */
  datastoreBaseUrl: z.string().url(),
  namespace: z.string().min(1).default('dfwbp'),
  /** Sent as a bearer token to the Data Store when set. */
  hfToken: z.string().optional(),
  /** Sent as a bearer token to the NIM proxy when set. */
  nimApiKey: z.string().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Per request of a Data Store file upload (large files go through LFS and take longer than a call). */
  uploadTimeoutMs: z.number().int().positive().default(600_000),
  retry: retryPolicySchema.partial().default({}),
  wait: z
    .object({
      pollIntervalMs: z.number().int().min(1).default(5000),
      timeoutMs: z.number().int().positive().default(3_600_000),
      stallTimeoutMs: z.number().int().positive().default(3_600_000),
    })
    .default({}),
});
export type NemoConfig = z.infer<typeof nemoConfigSchema>;
export type NemoConfigInput = z.input<typeof nemoConfigSchema>;

export const customizerConfigsSchema = z.object({
  target: z.string().min(1),
  gpus: z.number().int().positive(),
  numNodes: z.number().int().positive().default(1),
  tensorParallelSize: z.number().int().positive().default(1),
  dataParallelSize: z.number().int().positive().default(1),
  useSequenceParallel: z.boolean().default(false),
  microBatchSize: z.number().int().positive().default(1),
  trainingPrecision: z.string().default('bf16-mixed'),
  maxSeqLength: z.number().int().positive().default(4096),
});

export const nimConfigSchema = z
  .object({
    modelName: z.string().min(1),
    modelType: z.enum(['llm', 'embedding']).default('llm'),
    contextLength: z.number().int().positive(),
    gpus: z.number().int().positive().optional(),
    pvcSize: z.string().optional(),
    tag: z.string().optional(),
    registryBase: z.string().default('nvcr.io/nim'),
    customizationEnabled: z.boolean().default(false),
    customizerConfigs: customizerConfigsSchema.optional(),
  })
  .refine((n) => !n.customizationEnabled || n.customizerConfigs !== undefined, {
    message: 'customizerConfigs is required when customizationEnabled is true',
  });
export type NimConfig = z.infer<typeof nimConfigSchema>;

/** At least one NIM; duplicates by modelName are dropped, first wins (as in the blueprint). */
export const nimsSchema = z
  .array(nimConfigSchema)
  .min(1)
  .transform((nims) => nims.filter((n, i) => nims.findIndex((m) => m.modelName === n.modelName) === i));

export const judgeConfigSchema = z.discriminatedUnion('deploymentType', [
  z.object({
    deploymentType: z.literal('remote'),
    /** Base URL of an OpenAI-compatible API, e.g. `https://integrate.api.nvidia.com/v1`. */
    url: z.string().url(),
    modelName: z.string().min(1),
    apiKey: z.string().optional(),
  }),
  z.object({
    deploymentType: z.literal('local'),
    modelName: z.string().min(1),
    contextLength: z.number().int().positive().optional(),
    gpus: z.number().int().positive().optional(),
    pvcSize: z.string().optional(),
    tag: z.string().optional(),
  }),
]);
export type JudgeConfig = z.infer<typeof judgeConfigSchema>;

export function judgeRefOf(judge: JudgeConfig): JudgeRef {
  switch (judge.deploymentType) {
    case 'remote':
      return { kind: 'endpoint', baseUrl: judge.url, model: judge.modelName, apiKey: judge.apiKey };
    case 'local':
      return { kind: 'platform', model: judge.modelName };
  }
}
