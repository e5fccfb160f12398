// Splitting an NDJSON body into lines without decoding it first: 0x0A never occurs inside a multi-byte UTF-8
// sequence, so each line can be checked (size, UTF-8, JSON) on its own and reported by its number.

export interface Line {
  /** 1-based, counting every line of the body, blank ones included (as an editor shows them). */
  readonly number: number;
  readonly bytes: Buffer;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Non-blank lines; a trailing CR (CRLF files) is dropped. */
export function splitLines(body: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let number = 0;
  while (start <= body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    number += 1;
    let stop = end;
    if (stop > start && body[stop - 1] === CR) stop -= 1;
    const bytes = body.subarray(start, stop);
    if (!isBlank(bytes)) lines.push({ number, bytes });
    start = end + 1;
  }
  return lines;
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  return true;
}
