// Config of the OpenAI-compatible backend: models already served by endpoints we do not manage.
import { z } from 'zod';
import { retryPolicySchema } from '../http/retry';

const endpointSchema = z.object({
  /** The model id the endpoint serves (what `/v1/models` lists). */
  model: z.string().min(1),
  /** Including the API version, e.g. `http://localhost:11434/v1`. */
  baseUrl: z.string().url(),
  apiKey: z.string().optional(),
  contextLength: z.number().int().positive().optional(),
});

export const openAICompatibleConfigSchema = z.object({
  endpoints: z.array(endpointSchema).min(1),
  judge: endpointSchema,
  embedding: endpointSchema.optional(),
  evaluation: z
    .object({
      /** Eval records in flight at once against the candidate. */
      concurrency: z.number().int().min(1).max(64).default(4),
      pollIntervalMs: z.number().int().min(1).default(200),
    })
    .default({}),
  /**
   * Keep datasets in this directory (shared by every process of the flywheel and kept across restarts); in the
   * process's memory when unset.
   */
  datasetsDir: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  retry: retryPolicySchema.partial().default({}),
});

export type OpenAICompatibleConfig = z.infer<typeof openAICompatibleConfigSchema>;
export type OpenAICompatibleConfigInput = z.input<typeof openAICompatibleConfigSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
