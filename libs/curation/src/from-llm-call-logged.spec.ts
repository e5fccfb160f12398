import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLlmCall, testing, Topics, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { DEFAULT_CURATION_CONFIG, resolveJobConfig } from './config';
import { curate } from './curate';
import { fromLlmCallLogged, ToolListInterner } from './from-llm-call-logged';
import { parseJsonl } from './json';
import { timestampToMs } from './timestamp';

const sample = testing.sampleEvents[Topics.llmCallLoggedV1];
const FIXTURES = join(__dirname, '../../../test/fixtures/production-logs');

function withTools(event: LlmCallLoggedV1, parameters: string | null): LlmCallLoggedV1 {
  const tool = { type: 'function' as const, function: { name: 'get_weather', description: null, parameters } };
  return { ...event, request: { ...event.request, tools: [tool] } };
}

describe('fromLlmCallLogged', () => {
  it('gives back the OpenAI shapes: absent fields left out, parameters parsed, epoch seconds', () => {
    const record = fromLlmCallLogged(sample);
    expect(record).toEqual({
      timestamp: sample.timestamp / 1000,
      workload_id: 'agent.tool_router',
      client_id: 'aiva-demo',
      request: {
        model: 'meta/llama-3.3-70b-instruct',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [
          { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
        ],
        tool_choice: 'auto',
        temperature: 0,
        max_tokens: 256,
      },
      response: {
        id: 'chatcmpl-1',
        created: sample.timestamp / 1000,
        model: 'meta/llama-3.3-70b-instruct',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              ],
            },
          },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
      },
    });
  });

  it('reads the millisecond timestamp as the same instant (blueprint bug 11 stays fixed)', () => {
    const ms = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    const record = fromLlmCallLogged({ ...sample, timestamp: ms });
    expect(record.timestamp).toBe(1767268800.25);
    expect(timestampToMs(record.timestamp)).toBe(ms);
  });

  it('writes a forced function back as OpenAI tool_choice and leaves an unknown mode out', () => {
    const forced = fromLlmCallLogged({
      ...sample,
      request: { ...sample.request, tool_choice: { mode: 'function', function_name: 'get_weather' } },
    });
    expect(forced.request.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    const unknown = fromLlmCallLogged({
      ...sample,
      request: { ...sample.request, tool_choice: { mode: 'unknown', function_name: null } },
    });
    expect(unknown.request).not.toHaveProperty('tool_choice');
  });

  it('shares one frozen tool list per distinct list when given an interner', () => {
    const interner = new ToolListInterner();
    const a = fromLlmCallLogged(sample, interner);
    const b = fromLlmCallLogged({ ...sample, event_id: 'another' }, interner);
    const c = fromLlmCallLogged(withTools(sample, '{"type":"object"}'), interner);
    expect(b.request.tools).toBe(a.request.tools);
    expect(c.request.tools).not.toBe(a.request.tools);
    expect(interner.size).toBe(2);
    expect(Object.isFrozen(a.request.tools?.[0]?.function.parameters)).toBe(true);
    expect(fromLlmCallLogged(sample).request.tools).not.toBe(a.request.tools);
  });

  it('passes malformed values on, so curation counts them under their rule', async () => {
    const bad = [
      withTools(sample, '{not json'),
      {
        ...sample,
        response: {
          ...sample.response,
          choices: [
            {
              index: 0,
              finish_reason: 'tool_calls' as const,
              message: {
                ...sample.response.choices[0]!.message,
                tool_calls: [{ id: 'c', type: 'unknown' as const, function: { name: 'f', arguments: '{}' } }],
              },
            },
          ],
        },
      },
    ];
    const good = Array.from({ length: 12 }, (_, i) => ({
      ...sample,
      request: {
        ...sample.request,
        messages: [{ ...sample.request.messages[0]!, content: `Weather in city ${i}?` }],
      },
    }));
    const interner = new ToolListInterner();
    const records = [...bad, ...good].map((e) => fromLlmCallLogged(e, interner));
    const config = resolveJobConfig(DEFAULT_CURATION_CONFIG, {
      data_split_config: { random_seed: 1, min_total_records: 10, eval_size: 3 },
    });
    const result = await curate(records, config);
    expect(result.stats.dropped).toMatchObject({ invalid_tools: 1, non_function_tool_call: 1 });
    expect(result.stats.counts.after_dedupe).toBe(12);
  });

  it('curates logged events exactly as the raw logs they were ingested from (training and validation files)', async () => {
    const raw = parseJsonl(readFileSync(join(FIXTURES, 'bfcl-multiple.jsonl'), 'utf8'));
    const interner = new ToolListInterner();
    const mapped = raw.map((json) => fromLlmCallLogged(parseLlmCall(json), interner));
    const config = resolveJobConfig(DEFAULT_CURATION_CONFIG, { data_split_config: { random_seed: 5 } });
    const fromRaw = await curate(raw, config);
    const fromEvents = await curate(mapped, config);
    expect(fromEvents.stats.counts).toEqual(fromRaw.stats.counts);
    expect(fromEvents.stats.classes).toEqual(fromRaw.stats.classes);
    expect(fromEvents.datasets.train).toEqual(fromRaw.datasets.train);
    expect(fromEvents.datasets.val).toEqual(fromRaw.datasets.val);
    expect(fromEvents.datasets.train.length).toBeGreaterThan(0);
  });
});
