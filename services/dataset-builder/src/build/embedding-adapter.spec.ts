import { type EmbeddingClient, type EmbeddingRequest } from '@flywheel/platform-clients';
import { PlatformEmbeddings } from './embedding-adapter';

describe('PlatformEmbeddings', () => {
  it('asks the platform client for query embeddings of the configured model and returns Float32Arrays', async () => {
    const requests: EmbeddingRequest[] = [];
    const signals: (AbortSignal | undefined)[] = [];
    const client: EmbeddingClient = {
      embed: (request, options) => {
        requests.push(request);
        signals.push(options?.signal);
        return Promise.resolve(request.texts.map((t) => [t.length, 0.5]));
      },
    };
    const signal = new AbortController().signal;
    const vectors = await new PlatformEmbeddings(client, 'nvidia/embed', signal).embed(['ab', 'abcd']);
    expect(requests).toEqual([{ model: 'nvidia/embed', texts: ['ab', 'abcd'], inputType: 'query' }]);
    expect(signals).toEqual([signal]);
    expect(vectors).toEqual([Float32Array.from([2, 0.5]), Float32Array.from([4, 0.5])]);
  });
});
