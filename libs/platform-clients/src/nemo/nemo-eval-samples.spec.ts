import { writeZip } from '../util/zip';
import { quickSample, samplesFromDownload, schemaSample } from './nemo-eval-samples';

const toolRecord = (name: string, args: string, nameAcc: number, argsAcc: number, rating: number | null): unknown => ({
  item: { request: { messages: [{ role: 'user', content: 'q' }] }, timestamp: 1 },
  sample: {
    response: {
      model: 'meta/llama-3.2-1b-instruct',
      choices: [
        {
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ type: 'function', function: { name, arguments: args } }],
          },
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 },
    },
  },
  metrics: {
    'tool-calling-accuracy': {
      scores: { function_name_accuracy: { value: nameAcc }, function_name_and_args_accuracy: { value: argsAcc } },
    },
    correctness: { scores: { rating: { value: rating } } },
  },
});

describe('samplesFromDownload (NeMo download-results)', () => {
  it('reads per-sample scores, usage and predictions from results.json under the task key', () => {
    const archive = writeZip({
      'automatic/custom/config.yaml': 'x: 1',
      'automatic/custom/results/results.json': JSON.stringify({
        'custom-tool-calling': [
          toolRecord('get_weather', '{"city":"Paris"}', 1, 1, 1),
          toolRecord('get_time', { tz: 'UTC' } as unknown as string, 0, 0, null),
        ],
      }),
    });
    const { samples, unavailable } = samplesFromDownload('tool-calling', archive);
    expect(unavailable).toBeNull();
    expect(samples).toEqual([
      {
        index: 0,
        scores: { function_name_accuracy: 1, function_name_and_args_accuracy: 1, tool_calling_correctness: 1 },
        latencyMs: null,
        usage: { promptTokens: 120, completionTokens: 12, totalTokens: 132 },
        prediction: {
          content: null,
          toolCalls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        error: null,
      },
      expect.objectContaining({
        index: 1,
        // a null judge rating is no score, not a zero
        scores: { function_name_accuracy: 0, function_name_and_args_accuracy: 0 },
        prediction: {
          content: null,
          toolCalls: [{ type: 'function', function: { name: 'get_time', arguments: '{"tz":"UTC"}' } }],
        },
      }),
    ]);
  });

  it('reads similarity and the output text of generic evaluations', () => {
    const archive = writeZip({
      'results.json': JSON.stringify({
        'llm-as-judge': [
          { sample: { output_text: 'It is 4.' }, metrics: { 'llm-judge': { scores: { similarity: { value: 10 } } } } },
        ],
      }),
    });
    expect(samplesFromDownload('generic', archive).samples).toEqual([
      expect.objectContaining({ scores: { similarity: 10 }, prediction: { content: 'It is 4.', toolCalls: [] } }),
    ]);
  });

  it('keeps the index of an unreadable record and says what is wrong with it', () => {
    const archive = writeZip({
      'results.json': JSON.stringify({ 'custom-tool-calling': [toolRecord('f', '{}', 1, 1, 1), { metrics: 'nope' }] }),
    });
    const { samples } = samplesFromDownload('tool-calling', archive);
    expect(samples[1]).toMatchObject({ index: 1, scores: {} });
    expect(samples[1]?.error).toMatch(/^unreadable per-sample record: metrics/);
  });

  it('says why there are no samples: not a ZIP, no results.json, aggregates only, not JSON', () => {
    expect(samplesFromDownload('tool-calling', Buffer.from('{"tasks":{}}')).unavailable).toMatch(
      /^not a readable ZIP archive/,
    );
    expect(samplesFromDownload('tool-calling', writeZip({ 'logs/eval.log': 'ok' })).unavailable).toBe(
      'the archive holds no results.json (entries: logs/eval.log)',
    );
    expect(samplesFromDownload('tool-calling', writeZip({ 'results.json': '{"tasks":{}}' })).unavailable).toBe(
      'results.json has no per-sample records under custom-tool-calling or llm-as-judge (aggregates only)',
    );
    expect(samplesFromDownload('generic', writeZip({ 'r/results.json': '{oops' })).unavailable).toBe(
      'r/results.json is not valid JSON',
    );
  });

  describe('the quick reader agrees with the schema', () => {
    // A record with every optional part present, then one part at a time replaced by each kind of value.
    const full = (): Record<string, unknown> => ({
      item: { request: { messages: [] } },
      sample: {
        output_text: 'text',
        response: {
          id: 'x',
          choices: [
            {
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: 'hi',
                tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { a: 1 }, extra: 1 } }],
              },
            },
            { message: { content: null } },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 9 },
        },
        error: 'boom',
      },
      metrics: {
        'tool-calling-accuracy': {
          scores: { function_name_accuracy: { value: 1 }, function_name_and_args_accuracy: { value: null } },
        },
        correctness: { scores: { rating: { value: 0.5, stats: {} } } },
        'llm-judge': { scores: { similarity: { value: 7 } } },
      },
    });
    const paths = [
      [],
      ['sample'],
      ['sample', 'output_text'],
      ['sample', 'error'],
      ['sample', 'response'],
      ['sample', 'response', 'choices'],
      ['sample', 'response', 'choices', 0],
      ['sample', 'response', 'choices', 0, 'message'],
      ['sample', 'response', 'choices', 0, 'message', 'content'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0, 'id'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0, 'type'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0, 'function'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0, 'function', 'name'],
      ['sample', 'response', 'choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'],
      ['sample', 'response', 'choices', 1, 'message', 'content'],
      ['sample', 'response', 'usage'],
      ['sample', 'response', 'usage', 'prompt_tokens'],
      ['sample', 'response', 'usage', 'completion_tokens'],
      ['sample', 'response', 'usage', 'total_tokens'],
      ['metrics'],
      ['metrics', 'correctness'],
      ['metrics', 'correctness', 'scores'],
      ['metrics', 'correctness', 'scores', 'rating'],
      ['metrics', 'correctness', 'scores', 'rating', 'value'],
      ['metrics', 'llm-judge', 'scores', 'similarity', 'value'],
    ] as const;
    const values: unknown[] = [undefined, null, 'x', 'function', 0, 7, -1, 1.5, true, [], [{}], {}, { a: 'b' }];

    function replaced(path: readonly (string | number)[], value: unknown): unknown {
      if (path.length === 0) return value;
      const record = full();
      let at = record as Record<string | number, unknown>;
      for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      if (value === undefined) delete at[last];
      else at[last] = value;
      return JSON.parse(JSON.stringify(record)) as unknown; // as the archive would carry it
    }

    it.each(['tool-calling', 'generic'] as const)('on every variant of a record (%s)', (kind) => {
      let vouched = 0;
      let declined = 0;
      const records = [full(), ...paths.flatMap((path) => values.map((v) => replaced(path, v)))];
      for (const [index, record] of records.entries()) {
        const quick = quickSample(kind, record, index);
        const schema = schemaSample(kind, record, index);
        const unreadable = schema.error?.startsWith('unreadable per-sample record') ?? false;
        // It declines exactly what the schema refuses (so the schema names the fault), and reads the rest alike.
        expect({ record, declined: quick === undefined }).toEqual({ record, declined: unreadable });
        if (quick === undefined) declined += 1;
        else {
          vouched += 1;
          expect({ record, sample: quick }).toStrictEqual({ record, sample: schema });
        }
      }
      expect(vouched).toBeGreaterThan(50);
      expect(declined).toBeGreaterThan(50);
    });
  });
});
