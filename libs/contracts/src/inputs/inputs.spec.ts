// The JSON inputs that arrive from outside: a production log record and the jobs API body.
import { parseAvroSchema } from '../avro/logical-types';
import { LlmCallLoggedV1Schema, RunRequestedV1Schema } from '../generated';
import { catalogue, Topics } from '../topics';
import { llmCallInputSchema, parseLlmCall } from './llm-call-input';
import { runRequestInputSchema, toRunRequested } from './run-request-input';

const EVENT_ID = '00000000-0000-4000-8000-000000000001';

const log = {
  log_id: 'req-7',
  timestamp: '2026-01-01T00:00:00.000Z',
  workload_id: 'agent.tool_router',
  client_id: 'aiva-demo',
  request: {
    model: 'meta/llama-3.3-70b-instruct',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: 'Weather in Paris?' },
    ],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    max_completion_tokens: 64,
    stop: 'END',
  },
  response: {
    created: 1767225600,
    choices: [
      {
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
        },
        finish_reason: 'eos_token',
      },
    ],
  },
  latency_ms: 812,
  feedback: { rating: 'thumbs_up' },
};

describe('llm call input', () => {
  it('normalizes what real clients differ on', () => {
    const payload = parseLlmCall(log, { eventId: EVENT_ID });
    expect(payload.timestamp).toBe(Date.UTC(2026, 0, 1));
    expect(payload.request.messages[0]?.content).toBe('Be brief.');
    expect(payload.request.tool_choice).toEqual({ mode: 'function', function_name: 'get_weather' });
    expect(payload.request.max_tokens).toBe(64);
    expect(payload.request.stop).toEqual(['END']);
    expect(payload.response.created).toBe(1767225600000);
    expect(payload.response.choices[0]?.index).toBe(0);
    expect(payload.response.choices[0]?.finish_reason).toBe('unknown');
    expect(payload.response.choices[0]?.message.tool_calls[0]?.function.arguments).toBe('{"city":"Paris"}');
    expect(payload.feedback).toEqual({ rating: 'thumbs_up', score: null, comment: null });
    expect(parseAvroSchema(LlmCallLoggedV1Schema).isValid(payload)).toBe(true);
    expect(catalogue[Topics.llmCallLoggedV1].validate(payload)).toEqual([]);
  });

  it.each([
    ['no messages', { ...log, request: { ...log.request, messages: [] } }],
    ['no choices', { ...log, response: { choices: [] } }],
    ['empty workload', { ...log, workload_id: ' ' }],
    ['a role outside the enum', { ...log, request: { ...log.request, messages: [{ role: 'wizard', content: 'x' }] } }],
    ['a millisecond timestamp', { ...log, timestamp: 1767225600000 }],
  ])('rejects %s', (_what, body) => {
    expect(llmCallInputSchema.safeParse(body).success).toBe(false);
  });
});

describe('run request input', () => {
  const ctx = {
    runId: 'run-1',
    requestedBy: 'alice',
    now: Date.UTC(2026, 0, 1),
    eventId: EVENT_ID,
    defaultCandidates: [
      {
        model_name: 'meta/llama-3.2-1b-instruct',
        context_length: null,
        icl_enabled: true,
        customization_enabled: true,
      },
    ],
  };

  it('accepts the blueprint body and fills candidates from the configuration', () => {
    const body = runRequestInputSchema.parse({
      workload_id: 'agent.tool_router',
      client_id: 'aiva-demo',
      data_split_config: { eval_size: 20, random_seed: 0 },
    });
    const payload = toRunRequested(body, ctx);
    expect(payload.candidates).toEqual(ctx.defaultCandidates);
    expect(payload.data_split).toEqual({
      eval_size: 20,
      val_ratio: null,
      min_total_records: null,
      random_seed: 0,
      limit: null,
      parse_function_arguments: null,
    });
    expect(payload.icl).toBeNull();
    expect(parseAvroSchema(RunRequestedV1Schema).isValid(payload)).toBe(true);
    expect(catalogue[Topics.runRequestedV1].validate(payload)).toEqual([]);
  });

  it('takes candidates and overrides from the body', () => {
    const body = runRequestInputSchema.parse({
      workload_id: 'w',
      client_id: 'c',
      candidates: [{ model_name: 'a' }, { model_name: 'b', customization_enabled: true, context_length: 4096 }],
      icl_config: { max_examples: 3, example_selection: 'uniform_distribution' },
      training_config: { epochs: 1 },
      lora_config: { adapter_dim: 16 },
    });
    const payload = toRunRequested(body, ctx);
    expect(payload.candidates).toEqual([
      { model_name: 'a', context_length: null, icl_enabled: true, customization_enabled: false },
      { model_name: 'b', context_length: 4096, icl_enabled: true, customization_enabled: true },
    ]);
    expect(payload.icl?.example_selection).toBe('uniform_distribution');
    expect(payload.training?.epochs).toBe(1);
    expect(payload.lora).toEqual({ adapter_dim: 16, adapter_dropout: null });
    expect(parseAvroSchema(RunRequestedV1Schema).isValid(payload)).toBe(true);
  });

  it.each([
    ['an unknown key (typo)', { workload_id: 'w', client_id: 'c', data_split_config: { eval_sise: 3 } }],
    ['val_ratio of 1', { workload_id: 'w', client_id: 'c', data_split_config: { val_ratio: 1 } }],
    [
      'a repeated candidate',
      { workload_id: 'w', client_id: 'c', candidates: [{ model_name: 'a' }, { model_name: 'a' }] },
    ],
    [
      'max_examples above eval_size',
      { workload_id: 'w', client_id: 'c', data_split_config: { eval_size: 2 }, icl_config: { max_examples: 3 } },
    ],
    [
      'reserved tokens above the context',
      { workload_id: 'w', client_id: 'c', icl_config: { max_context_length: 10, reserved_tokens: 10 } },
    ],
    ['a missing client_id', { workload_id: 'w' }],
  ])('rejects %s', (_what, body) => {
    expect(runRequestInputSchema.safeParse(body).success).toBe(false);
  });

  it('refuses a run without candidates', () => {
    const body = runRequestInputSchema.parse({ workload_id: 'w', client_id: 'c' });
    expect(() => toRunRequested(body, { ...ctx, defaultCandidates: [] })).toThrow(/at least one candidate/);
  });
});
