// zod shapes of the NeMo microservice responses the adapters read (passthrough: extra fields are fine).
import { z } from 'zod';

export const namespaceSchema = z.object({ id: z.string() }).passthrough();

export const datasetSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    files_url: z.string(),
    description: z.string().nullable().optional(),
  })
  .passthrough();

export const deploymentSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    config: z.object({ model: z.string().optional() }).passthrough().optional(),
    status_details: z
      .object({ status: z.string(), description: z.string().nullable().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const customizationJobSchema = z
  .object({
    id: z.string().min(1),
    output_model: z.string().optional(),
    status: z.string().optional(),
  })
  .passthrough();

const statusLogSchema = z
  .object({ message: z.string().nullable().optional(), detail: z.string().nullable().optional() })
  .passthrough();

export const customizationStatusSchema = z
  .object({
    status: z.string(),
    percentage_done: z.number().nullable().optional(),
    epochs_completed: z.number().nullable().optional(),
    steps_completed: z.number().nullable().optional(),
    status_logs: z.array(statusLogSchema).nullable().optional(),
  })
  .passthrough();

export const evaluationJobSchema = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    status_details: z
      .object({ progress: z.number().nullable().optional(), message: z.string().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

const scoreSchema = z.object({ value: z.number(), count: z.number().optional() }).passthrough();

export const evaluationResultsSchema = z
  .object({
    tasks: z.record(
      z.object({ metrics: z.record(z.object({ scores: z.record(scoreSchema) }).passthrough()) }).passthrough(),
    ),
  })
  .passthrough();
export type NemoEvaluationResults = z.infer<typeof evaluationResultsSchema>;

export const modelEntitySchema = z.object({ name: z.string() }).passthrough();
