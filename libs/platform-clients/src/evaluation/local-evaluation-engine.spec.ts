import { type ChatClient, type ChatCompletion, type ChatCompletionRequest } from '../ports/chat-client';
import { type EvalRecord } from './eval-records';
import { runLocalEvaluation } from './local-evaluation-engine';

const completion = (over: Partial<ChatCompletion>): ChatCompletion => ({
  id: 'x',
  model: 'm',
  content: null,
  toolCalls: [],
  finishReason: 'stop',
  usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
  latencyMs: 7,
  ...over,
});

const toolRecord = (args: string): EvalRecord => ({
  request: {
    messages: [{ role: 'user', content: 'weather?' }],
    tools: [{ type: 'function', function: { name: 'w' } }],
  },
  response: {
    choices: [
      { message: { content: null, tool_calls: [{ type: 'function', function: { name: 'w', arguments: args } }] } },
    ],
  },
});

describe('runLocalEvaluation', () => {
  it('computes per-sample tool metrics, asks the judge, and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const candidate: ChatClient = {
      complete: async (req: ChatCompletionRequest) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        expect(req.tool_choice).toBe('required');
        return completion({
          toolCalls: [{ type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } }],
        });
      },
    };
    const judge: ChatClient = {
      complete: () => Promise.resolve(completion({ content: 'RATING: 1\nEXPLANATION: fine' })),
    };
    const records = [
      toolRecord('{"city":"Paris"}'),
      toolRecord('{"city":"Rome"}'),
      toolRecord('{"city":"Paris"}'),
      toolRecord('{}'),
    ];
    const out = await runLocalEvaluation({
      kind: 'tool-calling',
      records,
      candidate: { client: candidate, model: 'c' },
      judge: { client: judge, model: 'j' },
      concurrency: 2,
    });
    expect(peak).toBe(2);
    expect(out.scores).toEqual({
      function_name_accuracy: 1,
      function_name_and_args_accuracy: 0.5,
      tool_calling_correctness: 1,
    });
    expect(out.samples[1]).toMatchObject({
      index: 1,
      latencyMs: 7,
      usage: { totalTokens: 15 },
      scores: { function_name_and_args_accuracy: 0 },
    });
  });

  it('parses a judge "10" as 10 for similarity', async () => {
    const record: EvalRecord = {
      request: { messages: [{ role: 'user', content: '2+2?' }] },
      response: { choices: [{ message: { content: '4' } }] },
    };
    const out = await runLocalEvaluation({
      kind: 'generic',
      records: [record],
      candidate: { client: { complete: () => Promise.resolve(completion({ content: 'four' })) }, model: 'c' },
      judge: { client: { complete: () => Promise.resolve(completion({ content: '10' })) }, model: 'j' },
      concurrency: 1,
    });
    expect(out.scores.similarity).toBe(10);
  });
});
