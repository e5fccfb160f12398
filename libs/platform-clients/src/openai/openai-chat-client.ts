// ChatClient over any OpenAI-compatible `/chat/completions` (vLLM, Ollama, NIM, the simulator).
// Completions have no side effects, so they are retried like idempotent calls.
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

  public constructor(options: OpenAIEndpointOptions) {
    this.http = endpointHttp(options);
    this.service = options.service ?? 'openai';
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
