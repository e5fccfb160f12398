// Curation's EmbeddingClient port (texts → Float32Array vectors) over the platform's OpenAI-compatible embedding
// client. Retrieval models embed the last user turn as a query, as the blueprint did for both sides.
import { type EmbeddingClient as CurationEmbeddingClient } from '@flywheel/curation';
import { type EmbeddingClient as PlatformEmbeddingClient } from '@flywheel/platform-clients';

export class PlatformEmbeddings implements CurationEmbeddingClient {
  public constructor(
    private readonly client: PlatformEmbeddingClient,
    private readonly model: string,
    private readonly signal?: AbortSignal,
  ) {}

  public async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors = await this.client.embed(
      { model: this.model, texts, inputType: 'query' },
      this.signal ? { signal: this.signal } : {},
    );
    return vectors.map((v) => Float32Array.from(v));
  }
}
