// The OpenAI-compatible backend: every port, wired from one config.
import { type Platform, type PlatformRuntime } from '../platform';
import { type JudgeRef } from '../ports/evaluation-client';
import { EndpointDeploymentClient } from './endpoint-deployment-client';
import { FileDatasetStore } from './file-dataset-store';
import { InMemoryDatasetStore } from './in-memory-dataset-store';
import { LocalEvaluationClient } from './local-evaluation-client';
import { OpenAIChatClient } from './openai-chat-client';
import {
  type EndpointConfig,
  type OpenAICompatibleConfigInput,
  openAICompatibleConfigSchema,
} from './openai-compatible-config';
import { OpenAIEmbeddingClient } from './openai-embedding-client';
import { UnsupportedCustomizationClient } from './unsupported-customization-client';

export function createOpenAICompatiblePlatform(
  input: OpenAICompatibleConfigInput,
  runtime: PlatformRuntime = {},
): Platform {
  const config = openAICompatibleConfigSchema.parse(input);
  const http = { timeoutMs: config.timeoutMs, retry: config.retry, fetch: runtime.fetch, observer: runtime.observer };
  const chatFor = (e: EndpointConfig): OpenAIChatClient => new OpenAIChatClient({ ...e, ...http });
  const deployments = new EndpointDeploymentClient(config, runtime);
  const datasets = config.datasetsDir ? new FileDatasetStore(config.datasetsDir) : new InMemoryDatasetStore();
  const judgeFor = (ref: JudgeRef): { client: OpenAIChatClient; model: string } => {
    switch (ref.kind) {
      case 'endpoint':
        return { client: chatFor({ baseUrl: ref.baseUrl, model: ref.model, apiKey: ref.apiKey }), model: ref.model };
      case 'platform':
        return { client: chatFor(config.judge), model: ref.model };
    }
  };
  return {
    backend: 'openai-compatible',
    datasets,
    deployments,
    customization: new UnsupportedCustomizationClient(),
    evaluation: new LocalEvaluationClient({
      datasets,
      candidate: (model) => {
        const e = deployments.endpointFor(model);
        return e ? { client: chatFor(e), model } : undefined;
      },
      judge: judgeFor,
      concurrency: config.evaluation.concurrency,
      pollIntervalMs: config.evaluation.pollIntervalMs,
    }),
    chat: (model) => {
      const e = deployments.endpointFor(model);
      return chatFor(e ?? { ...config.judge, model });
    },
    embeddings: config.embedding ? new OpenAIEmbeddingClient({ ...config.embedding, ...http }) : null,
  };
}
