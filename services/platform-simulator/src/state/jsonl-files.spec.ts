import { evalFileOf, looksLikeEvalRecords, nonBlankLines } from './jsonl-files';

const record = (q: string): string =>
  JSON.stringify({
    request: { messages: [{ role: 'user', content: q }] },
    response: { choices: [{ message: { content: `answer to ${q}` } }] },
  });

describe('stored JSONL files', () => {
  it('counts the lines that hold something, with or without a final newline and with CRLF', () => {
    expect(nonBlankLines(Buffer.from('a\n\n  \nb\r\n\t\r\nc'))).toBe(3);
    expect(nonBlankLines(Buffer.from('a\nb\n'))).toBe(2);
    expect(nonBlankLines(Buffer.from(''))).toBe(0);
    expect(nonBlankLines(Buffer.from('\n \n'))).toBe(0);
  });

  it('reads eval records and names the first line that is not one', () => {
    const file = Buffer.from([record('one'), '', 'not json', record('two'), '{"request":{}}'].join('\n'));
    const parsed = evalFileOf(file);
    expect(parsed.records.map((r) => r.request.messages[0]?.content)).toEqual(['one', 'two']);
    expect(parsed.invalid).toMatch(/^eval record 2: not JSON/);
    expect(evalFileOf(Buffer.from(`${record('a')}\n${record('b')}\n`)).invalid).toBeNull();
  });

  it('parses one stored content once, and a new upload of the same text again', () => {
    const file = Buffer.from(record('x'));
    expect(evalFileOf(file)).toBe(evalFileOf(file));
    expect(evalFileOf(Buffer.from(record('x')))).not.toBe(evalFileOf(file));
  });

  it('tells eval files from training files by their first line', () => {
    expect(looksLikeEvalRecords(Buffer.from(`${record('a')}\n`))).toBe(true);
    expect(looksLikeEvalRecords(Buffer.from('{"messages":[{"role":"user","content":"q"}],"tools":[]}\n'))).toBe(false);
    expect(looksLikeEvalRecords(Buffer.from(''))).toBe(false);
  });
});
