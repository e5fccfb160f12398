// Span attributes of the OpenTelemetry GenAI semantic conventions on inference calls (chat completions to NIM or
// any OpenAI-compatible endpoint, LLM-as-judge included, and embeddings), and the model on customization and
// evaluation job calls. Only identifiers and counts: never prompt or completion text, which may hold user data.
// The gen_ai.* names are still "development" in @opentelemetry/semantic-conventions (its incubating entry point,
// which is not to be imported at run time), so they are spelled out here; a spec checks them against it.
import { type Attributes } from '@opentelemetry/api';

export const GenAiAttr = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
} as const;

/** gen_ai.operation.name values we use. */
export const GenAiOperation = { chat: 'chat', embeddings: 'embeddings' } as const;

/**
 * gen_ai.provider.name: the API flavour. OpenAI-compatible servers (vLLM, Ollama, the simulator) speak OpenAI's;
 * NIM has no registered value, so it gets its own.
 */
export const GenAiProvider = { openai: 'openai', nim: 'nvidia.nim' } as const;

/** flywheel's own ids on job calls, the same names the bus sets on its spans. */
export const FlywheelPlatformAttr = {
  runId: 'flywheel.run_id',
  workloadId: 'flywheel.workload_id',
  candidate: 'flywheel.candidate',
} as const;

export interface ChatRequestFacts {
  readonly provider: string;
  readonly model: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
}

export function chatRequestAttributes(r: ChatRequestFacts): Attributes {
  return {
    [GenAiAttr.operationName]: GenAiOperation.chat,
    [GenAiAttr.providerName]: r.provider,
    [GenAiAttr.requestModel]: r.model,
    ...(r.maxTokens !== undefined ? { [GenAiAttr.requestMaxTokens]: r.maxTokens } : {}),
    ...(r.temperature !== undefined ? { [GenAiAttr.requestTemperature]: r.temperature } : {}),
  };
}

export interface ChatResponseFacts {
  readonly id: string;
  readonly model: string;
  readonly finishReasons: readonly string[];
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number } | null | undefined;
}

export function chatResponseAttributes(r: ChatResponseFacts): Attributes {
  return {
    ...(r.model !== '' ? { [GenAiAttr.responseModel]: r.model } : {}),
    ...(r.id !== '' ? { [GenAiAttr.responseId]: r.id } : {}),
    ...(r.finishReasons.length > 0 ? { [GenAiAttr.responseFinishReasons]: [...r.finishReasons] } : {}),
    ...(r.usage
      ? { [GenAiAttr.usageInputTokens]: r.usage.promptTokens, [GenAiAttr.usageOutputTokens]: r.usage.completionTokens }
      : {}),
  };
}
