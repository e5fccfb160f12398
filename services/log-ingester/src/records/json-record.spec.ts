// Each kind of bad JSON record, named, with the reason a producer reads; and the conversions of a good one.
import { parseJsonRecord } from './json-record';
import { firstInvalidUtf8 } from './utf8';

const MAX = 64 * 1024;

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    workload_id: 'agent.tool_router',
    client_id: 'aiva',
    timestamp: 1767225600,
    request: { model: 'meta/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'hi' }] },
    response: { choices: [{ message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] },
    ...overrides,
  };
}

const bytes = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseJsonRecord', () => {
  it('should accept a blueprint-shaped record', () => {
    const result = parseJsonRecord(bytes(record()), MAX);
    expect(result).toMatchObject({ ok: true, input: { workload_id: 'agent.tool_router', timestamp: 1767225600 } });
  });

  it.each([
    ['a non-JSON line', 'this is not json', 'corrupt', /^not JSON: Unexpected token 'h'$/],
    ['truncated JSON', '{"workload_id": "w"', 'corrupt', /^not JSON: Expected ',' or '}' after property value/],
    ['JSON that is an array', '[{"workload_id":"w"}]', 'invalid-payload', /^not a JSON object: got an array/],
    ['JSON that is a string', '"hello"', 'invalid-payload', /^not a JSON object: got a string/],
    ['JSON null', 'null', 'invalid-payload', /^not a JSON object: got null/],
    [
      'a missing workload_id',
      record({ workload_id: undefined }),
      'invalid-payload',
      /^not a valid log record: workload_id: required$/,
    ],
    [
      'a blank workload_id',
      record({ workload_id: '  ' }),
      'invalid-payload',
      /^not a valid log record: workload_id: String must contain at least 1 character/,
    ],
    [
      'wrong types',
      record({ client_id: 42, timestamp: true, request: { model: 'm', messages: 'hi' } }),
      'invalid-payload',
      /^not a valid log record: client_id: expected string, got number; timestamp: expected number or string, got boolean; request\.messages: expected array, got string$/,
    ],
    [
      'a timestamp in milliseconds (ambiguous with seconds)',
      record({ timestamp: 1767225600000 }),
      'invalid-payload',
      /timestamp: timestamp is epoch seconds; this looks like milliseconds/,
    ],
    [
      'an unknown message role',
      record({ request: { model: 'm', messages: [{ role: 'robot', content: 'x' }] } }),
      'invalid-payload',
      /request\.messages\.0\.role: expected one of system, user, assistant, tool$/,
    ],
  ])('should reject %s', (_name, input, kind, reason) => {
    const result = parseJsonRecord(bytes(input), MAX);
    expect(result).toMatchObject({ ok: false, kind });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('should reject a record over the size limit before reading it', () => {
    const big = bytes(record({ request: { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(MAX) }] } }));
    expect(parseJsonRecord(big, MAX)).toEqual({
      ok: false,
      kind: 'too-large',
      reason: `record is ${big.length} bytes, over the limit of ${MAX} bytes`,
    });
  });

  it('should reject invalid UTF-8 and say where it starts', () => {
    const good = bytes(record());
    const bad = Buffer.concat([good.subarray(0, 20), Buffer.from([0xc3, 0x28]), good.subarray(20)]);
    expect(parseJsonRecord(bad, MAX)).toEqual({
      ok: false,
      kind: 'corrupt',
      reason: 'not valid UTF-8: bad byte sequence at byte offset 20',
    });
  });

  it('should not quote the record in a JSON error (it may hold personal data)', () => {
    const result = parseJsonRecord(bytes('{"content": "call me at +1 555 0100" oops}'), MAX);
    expect(result.ok ? '' : result.reason).not.toContain('555');
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    ['valid ASCII and multi-byte text', Buffer.from('añ€😀'), -1],
    ['a stray continuation byte', Buffer.from([0x61, 0x80]), 1],
    ['an overlong two-byte form', Buffer.from([0x61, 0x62, 0xc0, 0xaf]), 2],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 0],
    ['a sequence cut short', Buffer.from([0x61, 0xe2, 0x82]), 1],
    ['a code point beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
  ])('should find %s', (_name, input, offset) => {
    expect(firstInvalidUtf8(input)).toBe(offset);
  });
});
