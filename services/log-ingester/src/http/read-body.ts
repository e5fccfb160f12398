// Reads a request body as bytes, up to a limit: a client cannot make the ingester buffer more than it allows.
import { type IncomingMessage } from 'node:http';

export type BodyResult =
  { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly receivedBytes: number };

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) {
      // Stop reading: the rest is not ours to buffer. The connection closes after the 413.
      req.pause();
      return { ok: false, receivedBytes: size };
    }
    chunks.push(buf);
  }
  return { ok: true, body: Buffer.concat(chunks, size) };
}
