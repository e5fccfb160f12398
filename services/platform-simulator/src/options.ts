// Options of one simulator instance. Tests pass ~0 delays; the standalone process uses realistic ones.
import { z } from 'zod';

export const TEACHER_MODEL = 'meta/llama-3.3-70b-instruct';
export const EMBEDDING_MODEL = 'nvidia/llama-3.2-nv-embedqa-1b-v2';

export const delaysSchema = z.object({
  /** Deployment: allocated → ready. */
  deploymentMs: z.number().min(0).default(0),
  /** Customization and evaluation jobs: created → running. */
  jobStartMs: z.number().min(0).default(0),
  /** One training step (epochs × ceil(records / batch size) steps). */
  customizationStepMs: z.number().min(0).default(0),
  /** One evaluated record. */
  evaluationSampleMs: z.number().min(0).default(0),
});

export const simulatorOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Seeds every simulated answer; same seed, same answers. */
  seed: z.number().int().default(42),
  /** GPUs shared by deployments and running customization jobs. */
  gpuCapacity: z.number().int().min(0).default(8),
  delays: delaysSchema.default({}),
  /** Served on `/v1` without a deployment (teacher, judge, embedding model, or any OpenAI-compatible candidate). */
  servedModels: z.array(z.string().min(1)).default([TEACHER_MODEL, EMBEDDING_MODEL]),
  teacherModel: z.string().default(TEACHER_MODEL),
  /** Training records at which LoRA closes ~63% of the gap to the teacher (saturating curve). */
  loraSaturationRecords: z.number().positive().default(100),
  embeddingDimensions: z.number().int().min(8).max(4096).default(256),
  /** JSONL texts of `{request, response}` records the simulated models know answers to (besides uploads). */
  teacherAnswers: z.array(z.string()).default([]),
  /** Fraction of the simulated latency actually slept on `/v1/chat/completions` (0 = answer at once). */
  latencyScale: z.number().min(0).max(10).default(0),
  /** Where to keep the state across restarts; memory only when unset. */
  dataDir: z.string().min(1).optional(),
  /** Data Store uploads of at least this many bytes go through Git LFS (the hub client follows `preupload`). */
  lfsThresholdBytes: z
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
});

export type SimulatorOptions = z.infer<typeof simulatorOptionsSchema>;
export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;
