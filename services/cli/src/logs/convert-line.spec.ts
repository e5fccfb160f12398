// Line conversion: both accepted shapes, id overrides, deterministic ids, and a reason for every rejected line.
import { catalogue, Topics } from '@flywheel/contracts';
import { convertLine, type LineDefaults, type LineResult } from './convert-line';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const defaults: LineDefaults = { model: 'not-a-model', now: NOW };

const fullRecord = {
  timestamp: 1767225600,
  workload_id: 'agent.tool_router',
  client_id: 'aiva-demo',
  request: {
    model: 'meta/llama-3.3-70b-instruct',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  },
  response: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
      },
    ],
  },
};

const bare = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather' } }],
};

function record(result: LineResult) {
  if (result.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(result)}`);
  return result.record;
}

function reason(result: LineResult): string {
  if (result.kind !== 'invalid') throw new Error(`expected an invalid line, got ${result.kind}`);
  return result.reason;
}

describe('convertLine', () => {
  it('converts a full record as the catalogue event', () => {
    const r = record(convertLine(JSON.stringify(fullRecord), 1, defaults));
    expect(r).toMatchObject({ workload_id: 'agent.tool_router', client_id: 'aiva-demo', timestamp: 1767225600000 });
    expect(r.response.choices[0]?.message.tool_calls[0]?.function.arguments).toBe('{"city":"Paris"}');
    expect(catalogue[Topics.llmCallLoggedV1].validate(r)).toEqual([]);
  });

  it('lets --workload-id and --client-id override the ids in the line', () => {
    const r = record(convertLine(JSON.stringify(fullRecord), 1, { ...defaults, workloadId: 'w2', clientId: 'c2' }));
    expect([r.workload_id, r.client_id]).toEqual(['w2', 'c2']);
  });

  it('fills ids a full record lacks from the options', () => {
    const { workload_id: _w, client_id: _c, ...noIds } = fullRecord;
    expect(reason(convertLine(JSON.stringify(noIds), 1, defaults))).toMatch(
      /workload_id: Required.*client_id: Required/,
    );
    const r = record(convertLine(JSON.stringify(noIds), 1, { ...defaults, workloadId: 'w', clientId: 'c' }));
    expect([r.workload_id, r.client_id]).toEqual(['w', 'c']);
  });

  it('converts a bare {messages, tools} line as the blueprint loader does', () => {
    const r = record(convertLine(JSON.stringify(bare), 7, { ...defaults, workloadId: 'w', clientId: 'c' }));
    expect(r.request.model).toBe('not-a-model');
    expect(r.request.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(r.request.tools.map((t) => t.function.name)).toEqual(['get_weather']);
    expect([r.request.temperature, r.request.max_tokens]).toEqual([0.7, 1000]);
    expect(r.response.choices).toHaveLength(1);
    expect(r.response.choices[0]).toMatchObject({ index: 0, finish_reason: 'tool_calls' });
    expect(r.response.choices[0]?.message.tool_calls[0]?.function.name).toBe('get_weather');
    expect(r.response.model).toBe('not-a-model');
    expect(r.timestamp).toBe(Math.floor(NOW / 1000) * 1000);
    expect(r.response.created).toBe(r.timestamp);
  });

  it('marks a bare line whose answer is text as finished with stop', () => {
    const chat = {
      messages: [
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4' },
      ],
    };
    const r = record(convertLine(JSON.stringify(chat), 1, { ...defaults, workloadId: 'w', clientId: 'c' }));
    expect(r.response.choices[0]?.finish_reason).toBe('stop');
    expect(r.response.choices[0]?.message.content).toBe('4');
  });

  it('gives the same ids to the same line, and different ones to another line, workload or client', () => {
    const text = JSON.stringify(fullRecord);
    const a = record(convertLine(text, 3, defaults));
    const again = record(convertLine(text, 3, { ...defaults, now: NOW + 60_000 }));
    expect([again.log_id, again.event_id]).toEqual([a.log_id, a.event_id]);
    expect(a.log_id).toMatch(/^load-[0-9a-f]{32}$/);
    expect(a.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const others = [
      record(convertLine(text, 4, defaults)),
      record(convertLine(text, 3, { ...defaults, workloadId: 'other' })),
      record(convertLine(text, 3, { ...defaults, clientId: 'other' })),
      record(convertLine(JSON.stringify({ ...fullRecord, timestamp: 1767225601 }), 3, defaults)),
    ];
    for (const o of others) {
      expect(o.log_id).not.toBe(a.log_id);
      expect(o.event_id).not.toBe(a.event_id);
    }
  });

  it("keeps the application's own log_id", () => {
    expect(record(convertLine(JSON.stringify({ ...fullRecord, log_id: 'req-42' }), 1, defaults)).log_id).toBe('req-42');
  });

  it('ignores blank lines', () => {
    expect(convertLine('   ', 1, defaults)).toEqual({ kind: 'blank' });
  });

  const withIds: Partial<LineDefaults> = { workloadId: 'w', clientId: 'c' };
  it.each<[string, string, Partial<LineDefaults>, RegExp]>([
    ['not JSON', '{"timestamp": 1', {}, /^not JSON: /],
    ['JSON that is not an object', '[1, 2]', {}, /^expected a JSON object, got an array$/],
    ['a string', '"hello"', {}, /^expected a JSON object, got a string$/],
    ['null', 'null', {}, /^expected a JSON object, got null$/],
    [
      'an object of neither shape',
      '{"prompt": "hi"}',
      {},
      /^expected a log record .* or a \{messages, tools\?\} line$/,
    ],
    ['a missing workload_id', JSON.stringify({ ...fullRecord, workload_id: undefined }), {}, /^workload_id: Required/],
    ['an empty client_id', JSON.stringify({ ...fullRecord, client_id: ' ' }), {}, /^client_id: /],
    ['a wrong type', JSON.stringify({ ...fullRecord, timestamp: 'yesterday' }), {}, /^timestamp: /],
    ['a millisecond timestamp', JSON.stringify({ ...fullRecord, timestamp: 1767225600000 }), {}, /milliseconds/],
    ['no choices', JSON.stringify({ ...fullRecord, response: { choices: [] } }), {}, /^response\.choices: /],
    ['a bare line without ids', JSON.stringify(bare), {}, /needs --workload-id and --client-id/],
    ['a bare line of one message', JSON.stringify({ messages: [bare.messages[0]] }), withIds, /at least two/],
    [
      'a bare line not ending with the answer',
      JSON.stringify({ messages: [bare.messages[2], { role: 'user', content: 'x' }] }),
      withIds,
      /last message must be the assistant's answer/,
    ],
    [
      'a bare line with a malformed message',
      JSON.stringify({ messages: [{ role: 'wizard', content: 1 }, bare.messages[2]] }),
      withIds,
      /^request\.messages\.0\.role: .*request\.messages\.0\.content: /,
    ],
  ])('rejects %s with a reason', (_what, line, options, expected) => {
    expect(reason(convertLine(line, 1, { ...defaults, ...options }))).toMatch(expected);
  });
});
