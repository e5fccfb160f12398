import { type PlatformObserver } from './http/call-observer';
import { type ChatClient } from './ports/chat-client';
import { type CustomizationClient } from './ports/customization-client';
import { type DatasetStore } from './ports/dataset-store';
import { type DeploymentClient } from './ports/deployment-client';
import { type EmbeddingClient } from './ports/embedding-client';
import { type EvaluationClient } from './ports/evaluation-client';

/** Every port of one backend. */
export interface Platform {
  backend: 'nemo' | 'openai-compatible';
  datasets: DatasetStore;
  deployments: DeploymentClient;
  customization: CustomizationClient;
  evaluation: EvaluationClient;
  /** A chat client for a served model (candidate, teacher or judge). */
  chat: (model: string) => ChatClient;
  embeddings: EmbeddingClient | null;
}

/** What a service adds at run time: an observer of every call (its metrics), and in tests a fetch to fake requests. */
export interface PlatformRuntime {
  fetch?: typeof fetch;
  /** Told of every platform call's outcome, duration and attempts. */
  observer?: PlatformObserver;
}
