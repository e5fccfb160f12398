import { UnparseableLine } from './json';
import { chatRecord, deepFreeze, toolCallRecord } from './testing/log-records';
import { type LogRecord } from './types';
import {
  argumentsRule,
  checkArguments,
  formatRule,
  parseToolArguments,
  toolCallRule,
  type ToolsVerdicts,
} from './validate';

const limits = { maxToolProperties: 8, maxMessageChars: 131072 };

function withTools(record: LogRecord, properties: number): LogRecord {
  const props = Object.fromEntries(Array.from({ length: properties }, (_, i) => [`p${i}`, { type: 'string' }]));
  return {
    ...record,
    request: {
      ...record.request,
      tools: [{ type: 'function', function: { name: 'f', parameters: { properties: props } } }],
    },
  };
}

describe('formatRule (OpenAI format)', () => {
  it('accepts well-formed tool-calling and chat records', () => {
    expect(formatRule(toolCallRecord(), limits)).toBeNull();
    expect(formatRule(chatRecord(), limits)).toBeNull();
  });

  it.each([
    ['a number', 42],
    ['a string', 'hello'],
    ['null', null],
    ['an array', [1, 2]],
    ['a boolean', true],
  ])('bad input: %s is not a JSON object', (_name, value) => {
    expect(formatRule(value, limits)).toBe('not_an_object');
  });

  it('bad input: an unparseable JSONL line', () => {
    expect(formatRule(new UnparseableLine(3, 'Unexpected token'), limits)).toBe('unparseable_json');
  });

  it('bad input: missing request / missing response', () => {
    const { request: _r, ...noRequest } = toolCallRecord();
    const { response: _s, ...noResponse } = toolCallRecord();
    expect(formatRule(noRequest, limits)).toBe('missing_request');
    expect(formatRule(noResponse, limits)).toBe('missing_response');
    expect(formatRule({ ...toolCallRecord(), request: 'text' }, limits)).toBe('request_not_object');
    expect(formatRule({ ...toolCallRecord(), response: [] }, limits)).toBe('response_not_object');
  });

  it('bad input: empty or absent messages', () => {
    const r = toolCallRecord();
    expect(formatRule({ ...r, request: { ...r.request, messages: [] } }, limits)).toBe('messages_empty');
    expect(formatRule({ ...r, request: { model: 'x' } }, limits)).toBe('messages_not_array');
    expect(formatRule({ ...r, request: { messages: 'hi' } }, limits)).toBe('messages_not_array');
  });

  it('bad input: non-string content', () => {
    const r = chatRecord();
    for (const content of [42, { text: 'x' }, [1, 2], true]) {
      const bad = { ...r, request: { ...r.request, messages: [{ role: 'user', content }] } };
      expect(formatRule(bad, limits)).toBe('invalid_content');
    }
    const reply = { ...r, response: { choices: [{ message: { role: 'assistant', content: 7 } }] } };
    expect(formatRule(reply, limits)).toBe('invalid_content');
  });

  it('accepts multimodal (array) content and null assistant content', () => {
    const r = chatRecord();
    const parts = [
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:,' } },
    ];
    expect(formatRule({ ...r, request: { messages: [{ role: 'user', content: parts }] } }, limits)).toBeNull();
  });

  it('bad input: a message that is not an object or has no role', () => {
    const r = chatRecord();
    expect(formatRule({ ...r, request: { messages: ['hi'] } }, limits)).toBe('invalid_message');
    expect(formatRule({ ...r, request: { messages: [{ content: 'hi' }] } }, limits)).toBe('invalid_message');
  });

  it('bad input: 1 MB content is counted under message_too_long, or kept when the limit is off', () => {
    const huge = chatRecord({ user: 'x'.repeat(1024 * 1024) });
    expect(formatRule(huge, limits)).toBe('message_too_long');
    expect(formatRule(huge, { ...limits, maxMessageChars: null })).toBeNull();
  });

  it('bad input: unicode content is valid', () => {
    const text = 'Zürich → 東京 🚀 مرحبا e\u0301 \ud800 lone surrogate';
    expect(formatRule(chatRecord({ user: text }), limits)).toBeNull();
  });

  it('the tool property limit is 8 by default and configurable', () => {
    expect(formatRule(withTools(toolCallRecord(), 8), limits)).toBeNull();
    expect(formatRule(withTools(toolCallRecord(), 9), limits)).toBe('too_many_tool_properties');
    expect(formatRule(withTools(toolCallRecord(), 9), { ...limits, maxToolProperties: 12 })).toBeNull();
    expect(formatRule(withTools(toolCallRecord(), 50), { ...limits, maxToolProperties: null })).toBeNull();
  });

  it('structural tool errors invalidate', () => {
    const r = toolCallRecord();
    expect(formatRule({ ...r, request: { ...r.request, tools: 'x' } }, limits)).toBe('invalid_tools');
    expect(formatRule({ ...r, request: { ...r.request, tools: [{ type: 'function' }] } }, limits)).toBe(
      'invalid_tools',
    );
  });

  it('choices must be a non-empty list of objects with a message', () => {
    const r = toolCallRecord();
    expect(formatRule({ ...r, response: {} }, limits)).toBe('choices_not_array');
    expect(formatRule({ ...r, response: { choices: [] } }, limits)).toBe('choices_empty');
    expect(formatRule({ ...r, response: { choices: [{}] } }, limits)).toBe('invalid_choice');
    expect(formatRule({ ...r, response: { choices: [5] } }, limits)).toBe('invalid_choice');
  });
});

describe('toolCallRule (quality filter)', () => {
  it('keeps function calls', () => {
    expect(toolCallRule(toolCallRecord())).toBeNull();
  });

  it('bad input: tool calls with non-function types', () => {
    const r = toolCallRecord();
    const message = r.response.choices[0]!.message;
    const calls = [{ ...message.tool_calls![0]!, type: 'code_interpreter' }];
    const bad = { ...r, response: { choices: [{ message: { ...message, tool_calls: calls } }] } };
    expect(toolCallRule(bad)).toBe('non_function_tool_call');
  });

  it('drops records without tool calls and malformed tool calls', () => {
    expect(toolCallRule(chatRecord())).toBe('no_tool_calls');
    const r = toolCallRecord();
    const bad = {
      ...r,
      response: { choices: [{ message: { role: 'assistant', tool_calls: [{ type: 'function' }] } }] },
    };
    expect(toolCallRule(bad as unknown as LogRecord)).toBe('invalid_tool_call');
  });
});

describe('formatRule with shared tool lists', () => {
  it('checks a list shared between records once and gives every record its verdict', () => {
    const tooMany = withTools(toolCallRecord(), 9).request.tools;
    const shared = [toolCallRecord(), toolCallRecord()].map((r) => ({
      ...r,
      request: { ...r.request, tools: tooMany },
    }));
    const verdicts: ToolsVerdicts = new Map();
    expect(shared.map((r) => formatRule(r, limits, verdicts))).toEqual([
      'too_many_tool_properties',
      'too_many_tool_properties',
    ]);
    expect([...verdicts.values()]).toEqual(['too_many_tool_properties']);
    expect(formatRule(toolCallRecord(), limits, verdicts)).toBeNull();
  });
});

describe('argumentsRule', () => {
  it('names the rule the first bad arguments break, and accepts objects and JSON objects', () => {
    expect(argumentsRule(toolCallRecord({ args: '{"city": "Oslo"}' }))).toBeNull();
    expect(argumentsRule(toolCallRecord({ args: { city: 'Oslo' } }))).toBeNull();
    expect(argumentsRule(toolCallRecord({ args: '{"city": ' }))).toBe('unparseable_arguments');
    expect(argumentsRule(toolCallRecord({ args: '"Oslo"' }))).toBe('arguments_not_object');
    expect(argumentsRule(chatRecord())).toBeNull();
  });
});

describe('checkArguments', () => {
  it('gives the verdict of argumentsRule', () => {
    for (const args of ['{"city": ', '"Oslo"', '[1, 2]', '{"city": "Oslo"}', '{"n": 1.0}']) {
      const r = toolCallRecord({ args });
      const verdict = checkArguments(r);
      expect(typeof verdict === 'string' ? verdict : null).toBe(argumentsRule(r));
    }
    expect(checkArguments(chatRecord())).toBeNull();
    expect(checkArguments(toolCallRecord({ args: { city: 'Oslo' } }))).toBeNull();
  });

  it('keeps, per reply call, what the parse serialises to: null for a plain text to compact, else the text', () => {
    expect(checkArguments(toolCallRecord({ args: '{"city": "Oslo"}' }))).toEqual([null]);
    const compact = '{"city":"Oslo"}';
    expect(checkArguments(toolCallRecord({ args: compact }))?.[0]).toBe(compact);
    expect(checkArguments(toolCallRecord({ args: '{"n": 1.0, "c": "S\\u00e3o"}' }))).toEqual(['{"n":1,"c":"São"}']);
    const r = toolCallRecord();
    const message = r.response.choices[0]!.message;
    const calls = [...message.tool_calls!, { id: 'b', type: 'function', function: { name: 'f', arguments: { k: 1 } } }];
    const twoCalls = { ...r, response: { choices: [{ message: { ...message, tool_calls: calls } }] } };
    expect(checkArguments(twoCalls)).toEqual([null, undefined]);
  });
});

describe('parseToolArguments', () => {
  it('parses string arguments into objects without touching the input', () => {
    const r = deepFreeze(toolCallRecord({ args: '{"city": "Zürich", "days": 3}' }));
    const parsed = parseToolArguments(r);
    expect('record' in parsed && parsed.record.response.choices[0]!.message.tool_calls![0]!.function.arguments).toEqual(
      {
        city: 'Zürich',
        days: 3,
      },
    );
    expect(r.response.choices[0]!.message.tool_calls![0]!.function.arguments).toBe('{"city": "Zürich", "days": 3}');
    expect('record' in parsed && parsed.record.request).toBe(r.request);
  });

  it('leaves already-parsed arguments as they are (same object back)', () => {
    const r = toolCallRecord({ args: { city: 'Oslo' } });
    expect(parseToolArguments(r)).toEqual({ record: r });
  });

  it('bad input: unparseable arguments', () => {
    expect(parseToolArguments(toolCallRecord({ args: '{"city": ' }))).toEqual({ rule: 'unparseable_arguments' });
    expect(parseToolArguments(toolCallRecord({ args: '[1, 2]' }))).toEqual({ rule: 'arguments_not_object' });
  });
});
