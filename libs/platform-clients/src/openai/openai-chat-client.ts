// ChatClient over any OpenAI-compatible `/chat/completions` (vLLM, Ollama, NIM, the simulator).
// Completions have no side effects, so they are retried like idempotent calls. Their spans carry the GenAI
// conventions' model, provider and token counts, never the messages.
import { GenAiProvider, chatRequestAttributes, chatResponseAttributes } from '../http/genai-attributes';
import { HttpClient, type HttpClientOptions } from '../http/http-client';
import {
  type CallOptions,
  type ChatClient,
  type ChatCompletion,
  type ChatCompletionRequest,
} from '../ports/chat-client';
import { chatCompletionResponseSchema } from './schemas';

export interface OpenAIEndpointOptions extends Omit<HttpClientOptions, 'baseUrl' | 'headers'> {
  /** Base URL including the API version, e.g. `http://localhost:8000/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Prefix of call names in errors and spans (default `openai`). */
  service?: string;
  /** `gen_ai.provider.name` on inference spans (default `openai`, the API these endpoints speak). */
  provider?: string;
}

export function endpointHttp(options: OpenAIEndpointOptions): HttpClient {
  return new HttpClient({
    ...options,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
  });
}

export class OpenAIChatClient implements ChatClient {
  private readonly http: HttpClient;
  private readonly service: string;
  private readonly provider: string;

  public constructor(options: OpenAIEndpointOptions) {
    this.http = endpointHttp(options);
    this.service = options.service ?? 'openai';
    this.provider = options.provider ?? GenAiProvider.openai;
  }

  public async complete(request: ChatCompletionRequest, options: CallOptions = {}): Promise<ChatCompletion> {
    const started = performance.now();
    const body = await this.http.json({
      call: `${this.service}.chatCompletion`,
      method: 'POST',
      path: '/chat/completions',
      json: request,
      idempotent: true,
      signal: options.signal,
      schema: chatCompletionResponseSchema,
      spanAttributes: chatRequestAttributes({
        provider: this.provider,
        model: request.model,
        maxTokens: request.max_tokens,
        temperature: request.temperature,
      }),
      responseSpanAttributes: (b) =>
        chatResponseAttributes({
          id: b.id,
          model: b.model,
          finishReasons: b.choices.flatMap((c) => (c.finish_reason ? [c.finish_reason] : [])),
          usage: b.usage,
        }),
    });
    const choice = body.choices[0];
    return {
      id: body.id,
      model: body.model || request.model,
      content: choice?.message.content ?? null,
      toolCalls: choice?.message.tool_calls ?? [],
      finishReason: choice?.finish_reason ?? null,
      usage: body.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      latencyMs: Math.round(performance.now() - started),
    };
  }
}
