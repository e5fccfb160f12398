import { type JobSnapshot, type WaitOptions } from './jobs';

export interface DeploymentSpec {
  /** e.g. `meta/llama-3.2-1b-instruct`. */
  model: string;
  gpus?: number;
  pvcSize?: string;
  tag?: string;
  registryBase?: string;
  additionalEnvs?: Record<string, string>;
}

export interface Deployment extends JobSnapshot {
  model: string;
  /** The platform's name for the deployment (NeMo: model with `/` → `-`). */
  name: string;
  namespace: string;
  /** True once the model serves requests (NeMo `ready`). */
  deployed: boolean;
}

export interface DeploymentClient {
  /**
   * Ensures the model is deployed. An existing deployment that is pending, running or ready is reused, not
   * re-created; a failed or cancelled one is replaced.
   */
  deploy(spec: DeploymentSpec): Promise<Deployment>;
  get(model: string): Promise<Deployment | null>;
  /** Tears the deployment down; a missing one is fine. Pre-existing endpoints are never torn down. */
  delete(model: string): Promise<void>;
  /** Resolves when deployed and the inference endpoint lists the model; `failed`/`cancelled` reject at once. */
  waitUntilReady(model: string, options?: WaitOptions<Deployment>): Promise<Deployment>;
  /** Model ids the inference endpoint serves (`GET /v1/models`). */
  listServedModels(): Promise<string[]>;
}
