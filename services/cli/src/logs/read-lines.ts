// Reads a JSONL file line by line without holding it in memory. Works on bytes so that each line can be decoded
// strictly (invalid UTF-8 is reported for that line instead of being silently replaced) and so that an oversized line
// is skipped without being buffered whole.
import { createReadStream } from 'node:fs';

export type FileLine =
  | { readonly lineNumber: number; readonly text: string; readonly bytes: number }
  | { readonly lineNumber: number; readonly error: string; readonly bytes: number };

export interface ReadLinesOptions {
  /** Longest line accepted, in bytes (without its newline). */
  readonly maxLineBytes: number;
  /** Told how many bytes of the file have been read so far. */
  readonly onBytes?: (bytesRead: number) => void;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeLine(lineNumber: number, chunks: readonly Buffer[], size: number, max: number): FileLine {
  if (size > max) {
    return {
      lineNumber,
      bytes: size,
      error: `line is ${size.toLocaleString('en-US')} bytes, over the limit of ${max.toLocaleString('en-US')} (--max-line-bytes)`,
    };
  }
  let bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
  // A UTF-8 byte order mark is allowed at the very start of the file only.
  if (lineNumber === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    return { lineNumber, bytes: size, text: decoder.decode(bytes) };
  } catch {
    return { lineNumber, bytes: size, error: 'not valid UTF-8' };
  }
}

/** Yields every line of the file (the last one even without a trailing newline). Rejects if the file is unreadable. */
export async function* readLines(path: string, options: ReadLinesOptions): AsyncGenerator<FileLine> {
  const { maxLineBytes, onBytes } = options;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const buf = chunk as Buffer;
    read += buf.length;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      const end = nl === -1 ? buf.length : nl;
      // Past the limit only the size is counted; the bytes are dropped.
      if (pendingBytes <= maxLineBytes && end > start) pending.push(buf.subarray(start, end));
      pendingBytes += end - start;
      if (nl === -1) break;
      lineNumber++;
      yield decodeLine(lineNumber, pending, pendingBytes, maxLineBytes);
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    onBytes?.(read);
  }
  if (pendingBytes > 0) {
    lineNumber++;
    yield decodeLine(lineNumber, pending, pendingBytes, maxLineBytes);
  }
}
