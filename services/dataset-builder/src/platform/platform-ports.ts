// The platform ports the builder uses, from config: the DatasetStore of the configured backend (NeMo Data Store +
// Entity Store, or a directory shared with the other services for OpenAI-compatible backends) and the embedding
// endpoint for semantic ICL selection.
import {
  createNemoPlatform,
  FileDatasetStore,
  OpenAIEmbeddingClient,
  type DatasetStore,
  type EmbeddingClient,
} from '@flywheel/platform-clients';
import { type BuilderConfig, type PlatformSettings } from '../config/builder-config';

export function createDatasetStore(platform: PlatformSettings, namespace: string): DatasetStore {
  switch (platform.backend) {
    case 'nemo':
      return createNemoPlatform({
        nemoBaseUrl: platform.nemoBaseUrl,
        nimBaseUrl: platform.nimBaseUrl,
        datastoreBaseUrl: platform.datastoreBaseUrl,
        namespace,
        hfToken: platform.hfToken,
        timeoutMs: platform.timeoutMs,
        uploadTimeoutMs: platform.uploadTimeoutMs,
      }).datasets;
    case 'openai-compatible':
      return new FileDatasetStore(platform.datasetsDir);
  }
}

export function createEmbeddingClient(embedding: BuilderConfig['embedding']): EmbeddingClient | null {
  if (embedding === null) return null;
  return new OpenAIEmbeddingClient({
    baseUrl: embedding.baseUrl,
    apiKey: embedding.apiKey,
    timeoutMs: embedding.timeoutMs,
    service: 'embedding',
  });
}
