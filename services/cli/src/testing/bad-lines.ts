// A JSONL file with every kind of bad line next to good ones: what `logs load` must survive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE = join(__dirname, '../../../../test/fixtures/production-logs/bfcl-live-simple.jsonl');

export function fixtureLines(): string[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
}

export interface BadLinesFile {
  readonly bytes: Buffer;
  /** Line numbers of the lines that must be published, in order. */
  readonly valid: readonly number[];
  /** Line number → what the reason must say. */
  readonly invalid: ReadonlyMap<number, RegExp>;
  readonly blank: number;
}

/** @param maxLineBytes the limit the loader will run with; one line is made longer than it. */
export function badLinesFile(maxLineBytes: number): BadLinesFile {
  const [a, b, c, d] = fixtureLines();
  const record = JSON.parse(a ?? '{}') as Record<string, unknown>;
  const { workload_id: _w, ...noWorkload } = record;
  const lines: Buffer[] = [
    Buffer.from(`\uFEFF${a}\n`), // 1: valid, after a byte order mark
    Buffer.from('this is not json\n'), // 2
    Buffer.from('[1, 2, 3]\n'), // 3
    Buffer.from('\n'), // 4: blank
    Buffer.from(`${JSON.stringify(noWorkload)}\n`), // 5
    Buffer.from(`${JSON.stringify({ ...record, timestamp: 'yesterday' })}\n`), // 6
    Buffer.concat([Buffer.from('{"messages": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]), // 7
    Buffer.from(`${JSON.stringify({ ...record, pad: 'x'.repeat(maxLineBytes) })}\n`), // 8
    Buffer.from(`${b}\r\n`), // 9: valid, CRLF
    Buffer.from(
      `${JSON.stringify({
        workload_id: 'agent.chat',
        client_id: 'chat-app',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      })}\n`,
    ), // 10: valid bare line carrying its ids
    Buffer.from(`${c}\n`), // 11: valid
    Buffer.from(d ?? ''), // 12: valid, no trailing newline
  ];
  return {
    bytes: Buffer.concat(lines),
    valid: [1, 9, 10, 11, 12],
    invalid: new Map([
      [2, /^not JSON: /],
      [3, /^expected a JSON object, got an array$/],
      [5, /^workload_id: Required$/],
      [6, /^timestamp: /],
      [7, /^not valid UTF-8$/],
      [8, /^line is [\d,]+ bytes, over the limit of [\d,]+ \(--max-line-bytes\)$/],
    ]),
    blank: 1,
  };
}
