// What the simulator remembers, in memory only.
import { type EvaluationSample } from '@flywheel/platform-clients';
import { type JobFault } from '../http/faults';

export interface DeploymentRecord {
  name: string;
  namespace: string;
  model: string;
  gpus: number;
  createdAt: number;
  allocated: boolean;
  startedAt: number | null;
  status: 'created' | 'pending' | 'ready' | 'failed';
  description: string | null;
  fault: JobFault | null;
  body: unknown;
}

export interface StatusLog {
  updated_at: string;
  message: string;
  detail?: string;
}

export interface CustomizationJobRecord {
  id: string;
  name: string;
  namespace: string;
  outputModel: string;
  baseModel: string;
  config: string;
  dataset: { namespace: string; name: string };
  hyperparameters: unknown;
  trainingRecords: number;
  gpus: number;
  epochs: number;
  stepsPerEpoch: number;
  createdAt: number;
  startedAt: number | null;
  stepsDone: number;
  status: 'created' | 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  logs: StatusLog[];
  fault: JobFault | null;
}

export interface EvaluationJobRecord {
  id: string;
  namespace: string;
  model: string;
  createdAt: number;
  startedAt: number | null;
  status: 'created' | 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  total: number;
  done: number;
  message: string | null;
  /** Computed at creation, revealed at completion. */
  results: Record<string, unknown> | null;
  samples: EvaluationSample[];
  /** Why the job will fail when it starts (missing dataset, model not served). */
  setupError: string | null;
  fault: JobFault | null;
  config: unknown;
}
