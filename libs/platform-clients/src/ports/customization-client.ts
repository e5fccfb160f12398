import { type DatasetRef } from './dataset-store';
import { type JobSnapshot, type WaitOptions } from './jobs';

export interface CustomizationConfigSpec {
  /** Base model, exactly one `/` (e.g. `meta/llama-3.2-1b-instruct`). */
  baseModel: string;
  /** Customizer target, e.g. `meta/llama-3.2-1b-instruct@2.0`. */
  target: string;
  gpus: number;
  numNodes?: number;
  tensorParallelSize?: number;
  dataParallelSize?: number;
  useSequenceParallel?: boolean;
  microBatchSize?: number;
  trainingPrecision?: string;
  maxSeqLength?: number;
  trainingType?: string;
  finetuningType?: string;
}

export interface CustomizationConfigRef {
  namespace: string;
  name: string;
}

export interface Hyperparameters {
  trainingType: string;
  finetuningType: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  lora: { adapterDim: number; adapterDropout: number };
}

export interface CustomizationJobSpec {
  /** Makes the output model name unique per run (blueprint bug §10.25). */
  runId: string;
  workloadId: string;
  baseModel: string;
  config: CustomizationConfigRef;
  dataset: DatasetRef;
  hyperparameters: Hyperparameters;
}

export interface CustomizationJob extends JobSnapshot {
  id: string;
  /** The fine-tuned model's name once trained, e.g. `dfwbp/customized-meta-llama-3.2-1b-instruct-run-42`. */
  outputModel: string;
  epochsCompleted: number;
  stepsCompleted: number;
  /** The latest training loss the platform reported (NeMo: every `log_every_n_steps`); absent/null when none. */
  trainLoss?: number | null;
  /** The latest validation loss (NeMo: at each epoch's end); absent/null when none. */
  valLoss?: number | null;
}

/** What identifies a customization's job: the output model `createJob` names from these is unique per run. */
export type CustomizationJobIdentity = Pick<CustomizationJobSpec, 'runId' | 'baseModel'>;

export interface CustomizationClient {
  /** Creates the customization config if missing (an existing one is fine). */
  ensureConfig(spec: CustomizationConfigSpec): Promise<CustomizationConfigRef>;
  createJob(spec: CustomizationJobSpec): Promise<CustomizationJob>;
  getJob(jobId: string): Promise<CustomizationJob>;
  /**
   * The job that produces the output model `createJob(spec)` names for this run and base model, if one exists (the
   * newest, preferring one not failed or cancelled), else null. Lets a caller re-attach to a job whose creation it
   * started but whose id it never recorded (a process killed mid-`createJob`). Backends without jobs answer null.
   */
  findJob(identity: CustomizationJobIdentity): Promise<CustomizationJob | null>;
  cancelJob(jobId: string): Promise<void>;
  waitForCompletion(jobId: string, options?: WaitOptions<CustomizationJob>): Promise<CustomizationJob>;
  /** Deletes a customized model; a missing one is fine. */
  deleteModel(model: string): Promise<void>;
  deleteConfig(ref: CustomizationConfigRef): Promise<void>;
}
