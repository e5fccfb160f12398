// Port to an embedding model (an OpenAI-compatible `/v1/embeddings` adapter lives with the service). Curation asks
// in batches and checks what comes back: a wrong count, a wrong width or a non-finite value is a failure, never a
// silently empty neighbour list.
import { EmbeddingFailureError } from '../errors';

export interface EmbeddingClient {
  /** One vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Embeds in sequential batches and returns unit-length copies, ready for cosine similarity as a dot product. */
export async function embedNormalized(
  client: EmbeddingClient,
  texts: readonly string[],
  batchSize: number,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  let dims = -1;
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.slice(start, start + batchSize);
    const vectors = await client.embed(batch);
    if (!Array.isArray(vectors) || vectors.length !== batch.length) {
      throw new EmbeddingFailureError(
        `embedding client returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${batch.length} texts`,
      );
    }
    for (const v of vectors) {
      if (!(v instanceof Float32Array) || v.length === 0)
        throw new EmbeddingFailureError('embedding is not a Float32Array');
      if (dims === -1) dims = v.length;
      if (v.length !== dims) throw new EmbeddingFailureError(`embedding width ${v.length} differs from ${dims}`);
      let norm = 0;
      for (let i = 0; i < v.length; i++) norm += (v[i] as number) * (v[i] as number);
      if (!Number.isFinite(norm)) throw new EmbeddingFailureError('embedding has a non-finite value');
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      const unit = new Float32Array(v.length);
      for (let i = 0; i < v.length; i++) unit[i] = (v[i] as number) * scale;
      out.push(unit);
    }
  }
  return out;
}

export interface Neighbour {
  readonly index: number;
  readonly score: number;
}

/** The k most similar unit vectors to `query` (score descending, ties by index), brute force. */
export function nearestNeighbours(query: Float32Array, pool: readonly Float32Array[], k: number): Neighbour[] {
  const best: Neighbour[] = [];
  if (k <= 0) return best;
  for (let index = 0; index < pool.length; index++) {
    const v = pool[index] as Float32Array;
    let score = 0;
    const n = Math.min(v.length, query.length);
    for (let i = 0; i < n; i++) score += (v[i] as number) * (query[i] as number);
    if (best.length === k && score <= (best[k - 1] as Neighbour).score) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1] as Neighbour).score < score) at--;
    best.splice(at, 0, { index, score });
    if (best.length > k) best.pop();
  }
  return best;
}
