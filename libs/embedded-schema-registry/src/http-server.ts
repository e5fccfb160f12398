// node:http front end: reads size-capped bodies, hands them to the route table, and writes Confluent-style JSON,
// errors included ({"error_code": ..., "message": ...}).
import * as http from 'node:http';
import { bodyTooLarge, errorMessage, RegistryError } from './errors';
import { type SchemaRegistryCore } from './registry';
import { route } from './routes';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RegistryServerOptions {
  readonly log: (msg: string) => void;
  readonly maxBodyBytes: number;
}

class ClientGoneError extends Error {}

export function createRegistryServer(registry: SchemaRegistryCore, options: RegistryServerOptions): http.Server {
  return http.createServer((req, res) => {
    // The listener must not return a promise (node ignores it); failures are answered or logged right here.
    handle(registry, options, req, res).catch((err: unknown) => {
      if (err instanceof ClientGoneError) return;
      options.log(`schema registry: failed to answer ${req.method} ${req.url}: ${errorMessage(err)}`);
      if (!res.headersSent) send(res, 500, { error_code: 500, message: 'Internal Server Error' });
      else res.destroy();
    });
  });
}

async function handle(
  registry: SchemaRegistryCore,
  options: RegistryServerOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const body = await readBody(req, options.maxBodyBytes);
  try {
    if (body === undefined) throw bodyTooLarge(options.maxBodyBytes);
    const url = new URL(req.url ?? '/', 'http://registry');
    const result = route(
      { registry, log: options.log },
      { method, segments: pathSegments(url.pathname), query: url.searchParams, body },
    );
    send(res, 200, result);
  } catch (err) {
    const error = err instanceof RegistryError ? err : internalError(err);
    // Client mistakes are the client's to see; only refusals worth a developer's attention and faults are logged.
    if (error.status >= 500 || error.status === 409) {
      options.log(`schema registry: ${method} ${req.url} -> ${error.status}: ${error.message}`);
    }
    send(res, error.status, error.toBody());
  }
}

function internalError(err: unknown): RegistryError {
  return new RegistryError(500, 500, `Internal Server Error: ${errorMessage(err)}`);
}

/**
 * Splits and decodes the path; '%2F' inside a subject name stays part of that segment. A segment that does not
 * decode is kept raw, which then simply matches no subject.
 */
function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/**
 * The whole body, or undefined when it exceeds `limit`. An oversized body is still drained (not buffered) before
 * answering: replying mid-upload makes many clients report a reset connection instead of our 413.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let complete = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      complete = true;
      resolve(size <= limit ? Buffer.concat(chunks) : undefined);
    });
    req.on('error', (err) => reject(new ClientGoneError(err.message)));
    req.on('close', () => {
      if (!complete) reject(new ClientGoneError('client closed the connection before sending the whole body'));
    });
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}
