import { stringifyRequestArguments, toEvalRecord, toTrainingLine, trainingLines } from './format';
import { checkArguments, parseToolArguments } from './validate';
import { chatRecord, deepFreeze, toolCallRecord } from './testing/log-records';
import { type ChatMessage, type CuratedRecord, type LogRecord, type ToolCall } from './types';

function parsed(record: LogRecord): LogRecord {
  const p = parseToolArguments(record);
  if (!('record' in p)) throw new Error(p.rule);
  return p.record;
}

describe('format', () => {
  it('eval lines: full record, request-side arguments stringified, response arguments parsed', () => {
    const history: ChatMessage = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c0', type: 'function', function: { name: 'get_weather', arguments: { city: 'Rome' } } }],
    };
    const base = toolCallRecord({ args: '{"city": "Paris"}' });
    const record = parsed({
      ...base,
      request: {
        ...base.request,
        messages: [...base.request.messages, history, { role: 'user', content: 'and Paris?' }],
      },
    });
    const line = toEvalRecord(record);
    expect(Object.keys(line)).toEqual(['request', 'response', 'workload_id', 'client_id', 'timestamp']);
    const messages = (line.request as LogRecord['request']).messages;
    expect(messages[1]?.tool_calls?.[0]?.function.arguments).toBe('{"city":"Rome"}');
    expect((line.response as LogRecord['response']).choices[0]?.message.tool_calls?.[0]?.function.arguments).toEqual({
      city: 'Paris',
    });
  });

  it('tool-calling training lines: reply content "", tools included, null assistant content → ""', () => {
    const record = toolCallRecord();
    const t = toTrainingLine(record, 'tool_calling', true);
    if (!('line' in t)) throw new Error('dropped');
    const line = JSON.parse(t.line) as { messages: ChatMessage[]; tools: unknown[] };
    expect(line.messages.at(-1)).toMatchObject({ role: 'assistant', content: '' });
    expect(line.messages.at(-1)?.tool_calls?.[0]?.function.arguments).toEqual({ city: 'Paris' });
    expect(line.tools).toEqual(record.request.tools);
    expect(toTrainingLine(parsed(record), 'tool_calling')).toEqual(t);
    expect(t.line).toBe(JSON.stringify({ messages: line.messages, tools: line.tools }));
  });

  it('tool-calling records without tools are dropped under missing_tools', () => {
    const r = toolCallRecord();
    const { tools: _t, ...request } = r.request;
    expect(toTrainingLine({ ...r, request }, 'tool_calling')).toEqual({ rule: 'missing_tools' });
  });

  it('trainingLines keeps the given order (not the input order) and counts refused records', () => {
    const curated = (record: LogRecord, inputIndex: number): CuratedRecord => ({
      record,
      inputIndex,
      timeMs: 0,
      toolName: 'get_weather',
      parseArguments: true,
    });
    const { tools: _t, ...noTools } = toolCallRecord().request;
    const records = [
      curated(toolCallRecord({ user: 'third' }), 7),
      curated({ ...toolCallRecord(), request: noTools }, 3),
      curated(toolCallRecord({ user: 'first' }), 0),
      curated(toolCallRecord({ user: 'second' }), 5),
      curated(toolCallRecord({ user: 'same input index' }), 5),
    ];
    const dropped = { missing_tools: 0 };
    const lines = trainingLines(records, 'tool_calling', dropped);
    const users = lines.map((l) => (JSON.parse(l) as { messages: ChatMessage[] }).messages[0]?.content);
    expect(users).toEqual(['third', 'first', 'second', 'same input index']);
    expect(dropped).toEqual({ missing_tools: 1 });
    expect(lines[0]).toBe((toTrainingLine(records[0]!.record, 'tool_calling', true) as { line: string }).line);
  });

  it('generic training lines never carry tools and keep the reply', () => {
    const t = toTrainingLine(chatRecord({ user: 'q', reply: 'a' }), 'generic');
    expect('line' in t && JSON.parse(t.line)).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    });
  });

  it('returns the same messages array when there is nothing to stringify', () => {
    const messages = chatRecord().request.messages;
    expect(stringifyRequestArguments(messages)).toBe(messages);
  });

  describe('tool-calling lines are written piecewise, exactly as JSON.stringify would write them', () => {
    /** The line as a copy of the record with parsed arguments, serialised in one call (what the blueprint writes). */
    function reference(record: LogRecord): string {
      const first = parsed(record).response.choices[0]!.message;
      const messages = record.request.messages.map((m) =>
        m.role === 'assistant' && (m.content === null || m.content === undefined) ? { ...m, content: '' } : m,
      );
      return JSON.stringify({ messages: [...messages, { ...first, content: '' }], tools: record.request.tools });
    }

    const argumentTexts = [
      '{"city": "Paris", "days": [1, 2.5, -3], "opts": {"metric": true, "lang": null}}',
      '{"city":"Paris"}',
      '{"city": "S\\u00e3o Paulo", "note": "a\\/b"}',
      '{"b": 1, "1": 2, "dup": 1, "dup": 2}',
      '{"n": 1.0, "e": 1e2, "z": -0, "big": 12345678901234567890}',
      ' {\n "q" : "say \\"hi\\"" } ',
    ];
    const shapes: ((call: ToolCall) => LogRecord)[] = [
      (call) => withReply({ role: 'assistant', content: null, tool_calls: [call] }),
      (call) => withReply({ tool_calls: [call, { ...call, id: 'second' }], role: 'assistant' }),
      (call) =>
        withReply({ content: 'Let me look.', tool_calls: [call], role: 'assistant', refusal: null, x: undefined }),
      (call) => {
        const fn = { arguments: call.function.arguments, name: 'f', extra: [1] }; // arguments first, an extra key
        return withReply({
          role: 'assistant',
          content: null,
          tool_calls: [{ function: fn, type: 'function', 7: 'x' }],
        });
      },
      (call) =>
        withReply({
          role: 'assistant',
          content: null,
          tool_calls: [call, { ...call, function: { name: 'g', arguments: { k: 1 } } }],
        }),
    ];
    function withReply(message: ChatMessage): LogRecord {
      const r = toolCallRecord();
      const history: ChatMessage = {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'h', type: 'function', function: { name: 'f', arguments: { a: 1 } } }],
      };
      const request = {
        ...r.request,
        messages: [...r.request.messages, history, { role: 'user', content: 'and "then"?' }],
      };
      return {
        ...r,
        request,
        response: {
          choices: [
            { index: 0, message },
            { index: 1, message },
          ],
        },
      };
    }

    it.each(argumentTexts)('arguments %s, every reply shape', (args) => {
      for (const shape of shapes) {
        const record = shape({ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: args } });
        const expected = reference(record);
        const replyArguments = checkArguments(record);
        if (replyArguments === null || typeof replyArguments === 'string') throw new Error(String(replyArguments));
        expect(toTrainingLine(record, 'tool_calling', true, replyArguments)).toEqual({ line: expected });
        expect(toTrainingLine(record, 'tool_calling', true)).toEqual({ line: expected });
      }
    });

    it('leaves arguments as logged when the run does not parse them', () => {
      const record = toolCallRecord({ args: '{"city": "Paris"}' });
      const first = record.response.choices[0]!.message;
      expect(toTrainingLine(record, 'tool_calling', false)).toEqual({
        line: JSON.stringify({
          messages: [...record.request.messages, { ...first, content: '' }],
          tools: record.request.tools,
        }),
      });
    });
  });

  describe('blueprint bug 13: format_training_data mutates shared records', () => {
    it('formatting frozen records neither throws nor changes them', () => {
      const record = deepFreeze(parsed(toolCallRecord()));
      const before = JSON.stringify(record);
      expect(() => toTrainingLine(record, 'tool_calling')).not.toThrow();
      expect(() => toEvalRecord(record)).not.toThrow();
      expect(JSON.stringify(record)).toBe(before);
      expect(record.response.choices[0]?.message.content).toBeNull();
    });

    it('a reply with text and tool calls keeps its text in the source record after training formatting', () => {
      const r = toolCallRecord();
      const message = { ...r.response.choices[0]!.message, content: 'Let me check the weather.' };
      const record = deepFreeze({ ...r, response: { choices: [{ message }] } });
      toTrainingLine(record, 'tool_calling');
      expect(record.response.choices[0]?.message.content).toBe('Let me check the weather.');
    });
  });
});
