import { stringifyRequestArguments, toEvalRecord, toTrainingLine, trainingLines } from './format';
import { parseToolArguments } from './validate';
import { chatRecord, deepFreeze, toolCallRecord } from './testing/log-records';
import { type ChatMessage, type CuratedRecord, type LogRecord } from './types';

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
