// The NeMo backend: every port, wired from one config.
import { GenAiProvider } from '../http/genai-attributes';
import { HttpClient } from '../http/http-client';
import { OpenAIChatClient } from '../openai/openai-chat-client';
import { OpenAIEmbeddingClient } from '../openai/openai-embedding-client';
import { type Platform, type PlatformRuntime } from '../platform';
import { type NemoConfigInput, nemoConfigSchema } from './nemo-config';
import { NemoCustomizationClient } from './nemo-customization-client';
import { NemoDatasetStore } from './nemo-dataset-store';
import { NemoDeploymentClient } from './nemo-deployment-client';
import { NemoEvaluationClient } from './nemo-evaluation-client';

export function createNemoPlatform(input: NemoConfigInput, runtime: PlatformRuntime = {}): Platform {
  const config = nemoConfigSchema.parse(input);
  const common = { timeoutMs: config.timeoutMs, retry: config.retry, fetch: runtime.fetch, observer: runtime.observer };
  const nemo = new HttpClient({ baseUrl: config.nemoBaseUrl, ...common });
  const nimAuth = config.nimApiKey ? { authorization: `Bearer ${config.nimApiKey}` } : undefined;
  const nim = new HttpClient({ baseUrl: config.nimBaseUrl, headers: nimAuth, ...common });
  const datastore = new HttpClient({
    baseUrl: config.datastoreBaseUrl,
    headers: config.hfToken ? { authorization: `Bearer ${config.hfToken}` } : undefined,
    ...common,
  });
  const nimV1 = {
    baseUrl: `${nim.baseUrl}/v1`,
    apiKey: config.nimApiKey,
    service: 'nim',
    provider: GenAiProvider.nim,
    ...common,
  };
  return {
    backend: 'nemo',
    datasets: new NemoDatasetStore({
      nemo,
      datastore,
      timeoutMs: config.timeoutMs,
      uploadTimeoutMs: config.uploadTimeoutMs,
    }),
    deployments: new NemoDeploymentClient(nemo, nim, config),
    customization: new NemoCustomizationClient(nemo, config),
    evaluation: new NemoEvaluationClient(nemo, config),
    chat: () => new OpenAIChatClient(nimV1),
    embeddings: new OpenAIEmbeddingClient(nimV1),
  };
}
