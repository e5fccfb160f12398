import { type CallOptions } from './chat-client';

export interface EmbeddingRequest {
  model: string;
  texts: string[];
  /** Retrieval models embed queries and passages differently (NIM `input_type`). */
  inputType?: 'query' | 'passage';
}

export interface EmbeddingClient {
  /** One vector per text, in input order; batches internally. */
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<number[][]>;
}
