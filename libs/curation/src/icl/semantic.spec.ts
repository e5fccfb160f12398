import { FakeEmbeddingClient } from '../testing/fake-embedding-client';
import { cl100kTokenCounter, TokenEstimator } from '../tokens';
import { chatRecord, toolCallRecord } from '../testing/log-records';
import { type CuratedRecord, type LogRecord } from '../types';
import { embedNormalized, nearestNeighbours } from './embedding-client';
import { lastUserText, relevanceCoverage, selectSemantic } from './semantic';

const estimator = new TokenEstimator(cl100kTokenCounter);
const curated = (record: LogRecord, i: number, toolName: string): CuratedRecord => ({
  record,
  inputIndex: i,
  timeMs: 0,
  toolName,
  parseArguments: true,
});

describe('semantic ICL selection', () => {
  it('relevance/coverage: top floor(max × ratio), then uncovered tools, then the best leftovers', () => {
    const c = (index: number, tool: string) => ({ index, tool, score: 1 - index / 10 });
    const candidates = [c(0, 'a'), c(1, 'a'), c(2, 'a'), c(3, 'b'), c(4, 'c')];
    expect(relevanceCoverage(candidates, 3, 0.7).map((x) => x.index)).toEqual([0, 1, 3]);
    expect(relevanceCoverage(candidates, 4, 0.5).map((x) => x.index)).toEqual([0, 1, 3, 4]);
    expect(relevanceCoverage([c(0, 'a'), c(1, 'a'), c(2, 'a')], 3, 0.34).map((x) => x.index)).toEqual([0, 1, 2]);
  });

  it('nearest neighbours by cosine, ties by index', () => {
    const pool = [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([1, 0])];
    expect(nearestNeighbours(new Float32Array([1, 0]), pool, 2).map((n) => n.index)).toEqual([0, 2]);
  });

  it('embeds in batches of embedding_batch_size', async () => {
    const client = new FakeEmbeddingClient(8);
    const vectors = await embedNormalized(client, ['a', 'b', 'c', 'd', 'e'], 2);
    expect(client.batches).toEqual([2, 2, 1]);
    expect(vectors).toHaveLength(5);
  });

  it('rejects a client that returns the wrong number of vectors', async () => {
    const broken = { embed: (texts: string[]) => Promise.resolve(texts.slice(1).map(() => new Float32Array(4))) };
    await expect(embedNormalized(broken, ['a', 'b'], 32)).rejects.toThrow(/returned 1 vectors for 2 texts/);
  });

  it('picks training records similar to each eval query', async () => {
    const train = [
      curated(toolCallRecord({ tool: 'weather', user: 'what is the weather in Paris tomorrow' }), 0, 'weather'),
      curated(toolCallRecord({ tool: 'stocks', user: 'price of ACME stock today' }), 1, 'stocks'),
      curated(toolCallRecord({ tool: 'weather', user: 'weather forecast for Rome' }), 2, 'weather'),
    ];
    const evalSet = [curated(toolCallRecord({ tool: 'weather', user: 'weather in Paris on Monday' }), 3, 'weather')];
    const out = await selectSemantic(
      train,
      evalSet,
      'tool_calling',
      { maxExamples: 1, relevanceRatio: 1, batchSize: 32 },
      new FakeEmbeddingClient(256),
      estimator,
    );
    expect(out.groups[0]?.[0]?.[0]?.text).toContain('weather in Paris tomorrow');
  });

  it('blueprint bug 10: mixed-case and special-character workload/client ids need no index name', async () => {
    const ids = { workloadId: 'Agent.Tool Router/ÜBER', clientId: 'Client#1' };
    const train = [0, 1, 2].map((i) => curated(toolCallRecord({ ...ids, user: `question ${i}` }), i, 'get_weather'));
    const evalSet = [curated(toolCallRecord({ ...ids, user: 'question 9' }), 3, 'get_weather')];
    const out = await selectSemantic(
      train,
      evalSet,
      'tool_calling',
      { maxExamples: 2, relevanceRatio: 0.7, batchSize: 32 },
      new FakeEmbeddingClient(),
      estimator,
    );
    expect(out.groups[0]?.flat()).toHaveLength(2);
  });

  it('the last user turn is the query; records without one are counted, not embedded', async () => {
    expect(lastUserText(chatRecord({ user: 'second' }))).toBe('second');
    const noUser = { ...chatRecord(), request: { messages: [{ role: 'system', content: 'x' }] } };
    const client = new FakeEmbeddingClient();
    const out = await selectSemantic(
      [curated(noUser, 0, 'no_tool'), curated(chatRecord(), 1, 'no_tool')],
      [curated(noUser, 2, 'no_tool')],
      'generic',
      { maxExamples: 1, relevanceRatio: 0.7, batchSize: 32 },
      client,
      estimator,
    );
    expect(out.report).toEqual({ train_embedded: 1, train_without_query: 1, eval_without_query: 1 });
    expect(out.groups).toEqual([null]);
  });
});
