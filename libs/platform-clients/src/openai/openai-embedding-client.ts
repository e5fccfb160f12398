// EmbeddingClient over `/embeddings`, in batches of 32 (the blueprint's batch size).
import { PlatformResponseError } from '../errors';
import { GenAiAttr, GenAiOperation, GenAiProvider } from '../http/genai-attributes';
import { type HttpClient } from '../http/http-client';
import { type CallOptions } from '../ports/chat-client';
import { type EmbeddingClient, type EmbeddingRequest } from '../ports/embedding-client';
import { type OpenAIEndpointOptions, endpointHttp } from './openai-chat-client';
import { embeddingResponseSchema } from './schemas';

export class OpenAIEmbeddingClient implements EmbeddingClient {
  private readonly http: HttpClient;
  private readonly service: string;
  private readonly provider: string;

  public constructor(
    options: OpenAIEndpointOptions,
    private readonly batchSize = 32,
  ) {
    this.http = endpointHttp(options);
    this.service = options.service ?? 'openai';
    this.provider = options.provider ?? GenAiProvider.openai;
  }

  public async embed(request: EmbeddingRequest, options: CallOptions = {}): Promise<number[][]> {
    const call = `${this.service}.embed`;
    const out: number[][] = [];
    for (let i = 0; i < request.texts.length; i += this.batchSize) {
      const batch = request.texts.slice(i, i + this.batchSize);
      const body = await this.http.json({
        call,
        method: 'POST',
        path: '/embeddings',
        json: { model: request.model, input: batch, ...(request.inputType ? { input_type: request.inputType } : {}) },
        idempotent: true,
        signal: options.signal,
        schema: embeddingResponseSchema,
        spanAttributes: {
          [GenAiAttr.operationName]: GenAiOperation.embeddings,
          [GenAiAttr.providerName]: this.provider,
          [GenAiAttr.requestModel]: request.model,
        },
      });
      if (body.data.length !== batch.length) {
        throw new PlatformResponseError(call, `${body.data.length} embeddings for ${batch.length} inputs`);
      }
      const ordered = [...body.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      out.push(...ordered.map((d) => d.embedding));
    }
    return out;
  }
}
