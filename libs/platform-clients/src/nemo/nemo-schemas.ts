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

const statusLogSchema = z
  .object({ message: z.string().nullable().optional(), detail: z.string().nullable().optional() })
  .passthrough();

/** One logged value of a training metric (`CustomizationMetricValue`: every field optional). */
const metricValueSchema = z
  .object({ step: z.number().nullable().optional(), value: z.number().nullable().optional() })
  .passthrough();

/** `CustomizationMetrics`: `{keys: [...], metrics: {train_loss: [...], val_loss: [...]}}`. */
const customizationMetricsSchema = z
  .object({
    metrics: z
      .object({
        train_loss: z.array(metricValueSchema).nullable().optional(),
        val_loss: z.array(metricValueSchema).nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

/** `GET /v1/customization/jobs/{id}/status`, also the job's `status_details` (`CustomizationStatusDetails`). */
export const customizationStatusSchema = z
  .object({
    status: z.string(),
    percentage_done: z.number().nullable().optional(),
    epochs_completed: z.number().nullable().optional(),
    steps_completed: z.number().nullable().optional(),
    metrics: customizationMetricsSchema.nullable().optional(),
    status_logs: z.array(statusLogSchema).nullable().optional(),
  })
  .passthrough();
export type NemoCustomizationStatus = z.infer<typeof customizationStatusSchema>;

export const customizationJobSchema = z
  .object({
    id: z.string().min(1),
    output_model: z.string().nullable().optional(),
    status: z.string().optional(),
    created_at: z.string().nullable().optional(),
    // A detail that does not parse must not hide the job from a lookup: unreadable details count as absent.
    status_details: customizationStatusSchema.nullable().optional().catch(null),
  })
  .passthrough();
export type NemoCustomizationJob = z.infer<typeof customizationJobSchema>;

/** `GET /v1/customization/jobs`: one page (`CustomizationJobOutputsPage`). */
export const customizationJobPageSchema = z
  .object({
    data: z.array(customizationJobSchema),
    pagination: z
      .object({ page: z.number(), page_size: z.number(), total_pages: z.number(), total_results: z.number() })
      .passthrough()
      .nullable()
      .optional(),
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
