// Deterministic embeddings for tests and demos: bag of hashed word trigrams, so similar texts get similar vectors
// without a model. Counts calls and batch sizes; can be told to fail.
import { type EmbeddingClient } from '../icl/embedding-client';

export class FakeEmbeddingClient implements EmbeddingClient {
  public readonly batches: number[] = [];

  public constructor(
    private readonly dims = 64,
    private readonly failWith: Error | null = null,
  ) {}

  public embed(texts: string[]): Promise<Float32Array[]> {
    this.batches.push(texts.length);
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(texts.map((t) => this.vector(t)));
  }

  private vector(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    const words = text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0);
    for (const word of words) {
      const padded = `^${word}$`;
      for (let i = 0; i + 3 <= padded.length; i++) {
        let h = 0x811c9dc5;
        for (let j = i; j < i + 3; j++) h = Math.imul(h ^ padded.charCodeAt(j), 0x01000193) >>> 0;
        v[h % this.dims] = (v[h % this.dims] as number) + 1;
      }
    }
    return v;
  }
}
