// The platform ports the builder uses, from config: the DatasetStore of the configured backend (NeMo Data Store +
// Entity Store, or a directory shared with the other services for OpenAI-compatible backends) and the embedding
// endpoint for semantic ICL selection.
import {
  createNemoPlatform,
  FileDatasetStore,
  OpenAIEmbeddingClient,
  type DatasetStore,
  type EmbeddingClient,
  type PlatformRuntime,
} from '@flywheel/platform-clients';
import { type BuilderConfig, type PlatformSettings } from '../config/builder-config';

/** `runtime.observer` (the service's platform metrics) is told of every call. */
export function createDatasetStore(
  platform: PlatformSettings,
  namespace: string,
  runtime: PlatformRuntime = {},
): DatasetStore {
  switch (platform.backend) {
    case 'nemo':
      return createNemoPlatform(
        {
          nemoBaseUrl: platform.nemoBaseUrl,
          nimBaseUrl: platform.nimBaseUrl,
          datastoreBaseUrl: platform.datastoreBaseUrl,
          namespace,
          hfToken: platform.hfToken,
          timeoutMs: platform.timeoutMs,
          uploadTimeoutMs: platform.uploadTimeoutMs,
        },
        runtime,
      ).datasets;
    case 'openai-compatible':
      return new FileDatasetStore(platform.datasetsDir);
  }
}

export function createEmbeddingClient(
  embedding: BuilderConfig['embedding'],
  runtime: Pick<PlatformRuntime, 'observer'> = {},
): EmbeddingClient | null {
  if (embedding === null) return null;
  return new OpenAIEmbeddingClient({
    observer: runtime.observer,
    baseUrl: embedding.baseUrl,
    apiKey: embedding.apiKey,
    timeoutMs: embedding.timeoutMs,
    service: 'embedding',
  });
}
