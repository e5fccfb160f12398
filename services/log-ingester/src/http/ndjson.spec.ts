import { splitLines } from './ndjson';

describe('splitLines', () => {
  it('should number lines as an editor does, skipping blank ones and CRLF endings', () => {
    const lines = splitLines(Buffer.from('{"a":1}\r\n\n   \n{"b":2}\n{"c":3}'));
    expect(lines.map((l) => [l.number, l.bytes.toString()])).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
      [5, '{"c":3}'],
    ]);
  });

  it('should give nothing for an empty or blank body', () => {
    expect(splitLines(Buffer.alloc(0))).toEqual([]);
    expect(splitLines(Buffer.from('\n \r\n'))).toEqual([]);
  });
});
