// zod for every answer of the jobs API the CLI reads (services/results-aggregator, blueprint shapes). Only the fields
// the CLI shows are checked; extra keys pass, so a newer server with more fields still works.
import { z } from 'zod';

const nullableString = z.string().nullable();
const scoreMap = z.record(z.number());

export const apiErrorBodySchema = z
  .object({
    status: z.number().optional(),
    error: z.string().optional(),
    detail: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .passthrough();

export const jobCreatedSchema = z.object({ id: z.string(), status: z.string(), message: z.string() }).passthrough();

export const jobActionSchema = z
  .object({ id: z.string(), message: z.string(), status: z.string().optional() })
  .passthrough();

const datasetSchema = z
  .object({ name: z.string(), num_records: z.number(), kind: z.string().optional() })
  .passthrough();

export const jobListItemSchema = z
  .object({
    id: z.string(),
    workload_id: z.string(),
    client_id: z.string(),
    status: z.string(),
    started_at: z.string(),
    finished_at: nullableString,
    datasets: z.array(datasetSchema),
    error: nullableString,
  })
  .passthrough();

export const jobListSchema = z
  .object({ jobs: z.array(jobListItemSchema), next_cursor: nullableString.optional() })
  .passthrough();

const evaluationSchema = z
  .object({
    eval_type: z.string(),
    scores: scoreMap,
    progress: z.number(),
    error: nullableString,
    status: z.string().optional(),
    runtime_seconds: z.number().optional(),
  })
  .passthrough();

const customizationSchema = z
  .object({
    progress: z.number(),
    epochs_completed: z.number().optional(),
    steps_completed: z.number().optional(),
    customized_model: nullableString.optional(),
    error: nullableString,
    status: z.string().optional(),
  })
  .passthrough();

export const nimSchema = z
  .object({
    model_name: z.string(),
    status: z.string(),
    deployment_status: z.string(),
    runtime_seconds: z.number().optional(),
    evaluations: z.array(evaluationSchema),
    customizations: z.array(customizationSchema),
    error: nullableString,
  })
  .passthrough();

export const jobDetailSchema = z
  .object({
    id: z.string(),
    workload_id: z.string(),
    client_id: z.string(),
    status: z.string(),
    started_at: z.string(),
    finished_at: nullableString,
    num_records: z.number(),
    nims: z.array(nimSchema),
    datasets: z.array(datasetSchema),
    error: nullableString,
    workload_type: nullableString.optional(),
  })
  .passthrough();

const variantRecord = <T extends z.ZodTypeAny>(t: T) =>
  z.object({ base: t, icl: t, customized: t }).partial().passthrough();

export const reportCandidateSchema = z
  .object({
    rank: z.number(),
    model_name: z.string(),
    status: z.string(),
    customized_model: nullableString.optional(),
    scores: variantRecord(scoreMap.nullable()),
    sample_counts: variantRecord(z.number().nullable()).optional(),
    latency_ms: variantRecord(z.number().nullable()).optional(),
    cost: z
      .object({
        usd_per_1k_calls: z.number().nullable().optional(),
        teacher_usd_per_1k_calls: z.number().nullable().optional(),
        savings: z.number().nullable().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
    best: z.object({ eval_type: z.string(), score: z.number() }).passthrough().nullable(),
    gap_to_teacher: z.number().nullable(),
    meets_threshold: z.boolean(),
    error: nullableString,
  })
  .passthrough();

export const reportSchema = z
  .object({
    id: z.string(),
    workload_id: z.string(),
    client_id: z.string(),
    status: z.string(),
    final: z.boolean(),
    workload_type: nullableString.optional(),
    num_records: z.number(),
    primary_metric: z.string(),
    teacher: z.object({ model_name: z.string(), score: z.number().nullable() }).passthrough(),
    max_gap: z.number(),
    candidates: z.array(reportCandidateSchema),
    recommendation: z
      .object({ model_name: nullableString, eval_type: nullableString, rationale: z.string() })
      .passthrough(),
  })
  .passthrough();

export const promoteSchema = z
  .object({ id: z.string(), model_name: z.string(), previous_model: z.string(), message: z.string() })
  .passthrough();

export type JobCreated = z.infer<typeof jobCreatedSchema>;
export type JobAction = z.infer<typeof jobActionSchema>;
export type JobList = z.infer<typeof jobListSchema>;
export type JobListItem = z.infer<typeof jobListItemSchema>;
export type JobDetail = z.infer<typeof jobDetailSchema>;
export type Nim = z.infer<typeof nimSchema>;
export type JobReport = z.infer<typeof reportSchema>;
export type ReportCandidate = z.infer<typeof reportCandidateSchema>;
export type Promoted = z.infer<typeof promoteSchema>;

/** Terminal run statuses: a watch ends there. */
export const TERMINAL_RUN_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];
