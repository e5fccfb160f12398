// What the simulator remembers. The zod schemas are the shape of the records in memory and in the data dir
// (validated when a data dir is loaded, so a damaged file is refused with the field that is wrong).
import { type NemoSampleRecord } from '@flywheel/platform-clients';
import { z } from 'zod';
import { jobFaultSchema } from '../http/faults';

const time = z.number().finite();
const jobFault = jobFaultSchema.nullable();

export const deploymentRecordSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  model: z.string(),
  gpus: z.number().int().min(0),
  createdAt: time,
  allocated: z.boolean(),
  startedAt: time.nullable(),
  status: z.enum(['created', 'pending', 'ready', 'failed']),
  description: z.string().nullable(),
  fault: jobFault,
  /** The creation request, echoed back by GET. */
  body: z.record(z.unknown()),
});
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

export const statusLogSchema = z.object({
  updated_at: z.string(),
  message: z.string(),
  detail: z.string().optional(),
});
export type StatusLog = z.infer<typeof statusLogSchema>;

const jobStatus = z.enum(['created', 'pending', 'running', 'completed', 'failed', 'cancelled']);

export const customizationJobRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  outputModel: z.string(),
  baseModel: z.string(),
  config: z.string(),
  dataset: z.object({ namespace: z.string(), name: z.string() }),
  hyperparameters: z.record(z.unknown()),
  trainingRecords: z.number().int().min(0),
  gpus: z.number().int().min(0),
  epochs: z.number().int().min(1),
  stepsPerEpoch: z.number().int().min(0),
  createdAt: time,
  startedAt: time.nullable(),
  stepsDone: z.number().int().min(0),
  status: jobStatus,
  logs: z.array(statusLogSchema),
  fault: jobFault,
});
export type CustomizationJobRecord = z.infer<typeof customizationJobRecordSchema>;

export const evaluationJobRecordSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  model: z.string(),
  createdAt: time,
  startedAt: time.nullable(),
  status: jobStatus,
  total: z.number().int().min(0),
  done: z.number().int().min(0),
  message: z.string().nullable(),
  /** Why the job will fail when it starts (missing dataset, model not served). */
  setupError: z.string().nullable(),
  fault: jobFault,
  config: z.record(z.unknown()),
});
/** Results are computed at creation and revealed at completion. */
export type EvaluationJobRecord = z.infer<typeof evaluationJobRecordSchema> & EvaluationDetail;

export interface EvaluationDetail {
  /** The aggregate document of `GET …/results` (without id). */
  results: Record<string, unknown> | null;
  /** Per-sample records by task key, as in the `results.json` of `download-results`. */
  sampleRecords: Record<string, NemoSampleRecord[]>;
}

export const evaluationDetailSchema = z.object({
  results: z.record(z.unknown()).nullable(),
  sampleRecords: z.record(
    z.array(z.custom<NemoSampleRecord>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))),
  ),
});

export const modelEntitySchema = z.object({
  name: z.string(),
  namespace: z.string(),
  baseModel: z.string(),
  trainingRecords: z.number().int().min(0),
  createdAt: time,
});
export type ModelEntity = z.infer<typeof modelEntitySchema>;
