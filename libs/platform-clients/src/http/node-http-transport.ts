// The default transport: node:http / node:https with a keep-alive agent (per protocol; it pools per origin). Global
// fetch costs several times more CPU per request (undici, web streams, AbortSignal.any, Blob); platform calls are
// small JSON exchanges, so that overhead dominated the drivers' CPU. Kept from fetch's behaviour: redirects are
// followed (same rules, Authorization dropped across origins), a compressed body is decoded, and one deadline covers
// every hop and the whole body.
import * as http from 'node:http';
import * as https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import {
  type HttpTransport,
  type ResponseHeaders,
  type TransportRequest,
  type TransportResponse,
  TransportAbortedError,
  TransportTimeoutError,
} from './http-transport';

export interface NodeHttpTransportOptions {
  /** Concurrent sockets per origin (more requests queue in the agent). */
  maxSockets?: number;
  /** Idle sockets kept per origin. */
  maxFreeSockets?: number;
}

/** fetch's limit. */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that describe a body; dropped when a redirect turns the request into a body-less GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

export class NodeHttpTransport implements HttpTransport {
  private readonly agents = new Map<string, http.Agent>();

  public constructor(private readonly options: NodeHttpTransportOptions = {}) {}

  public send(request: TransportRequest): Promise<TransportResponse> {
    return new Promise<TransportResponse>((resolve, reject) => {
      const { signal } = request;
      if (signal?.aborted) {
        reject(new TransportAbortedError());
        return;
      }
      let current: http.ClientRequest | undefined;
      let settled = false;
      const settle = (err: unknown, res?: TransportResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (res) resolve(res);
        else {
          current?.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const timer = setTimeout(() => settle(new TransportTimeoutError(request.timeoutMs)), request.timeoutMs);
      const onAbort = (): void => settle(new TransportAbortedError());
      signal?.addEventListener('abort', onAbort, { once: true });

      const hop = (url: URL, method: string, headers: Record<string, string>, body: string | undefined, n: number) => {
        const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
        if (!lib) {
          settle(new Error(`unsupported protocol ${url.protocol}`));
          return;
        }
        if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
        else if (method !== 'GET' && method !== 'HEAD') headers['content-length'] = '0';
        let req: http.ClientRequest;
        try {
          req = lib.request(url, { method, headers, agent: this.agent(url.protocol) });
        } catch (err) {
          settle(err); // e.g. a header value node refuses
          return;
        }
        current = req;
        req.on('error', settle);
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (REDIRECT_STATUSES.has(status) && location !== undefined) {
            res.on('error', () => undefined);
            res.resume(); // drain, so the socket goes back to the pool
            if (n >= MAX_REDIRECTS) {
              settle(new Error(`more than ${MAX_REDIRECTS} redirects`));
              return;
            }
            const next = new URL(location, url);
            const nextHeaders = { ...headers };
            let nextMethod = method;
            let nextBody = body;
            if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
              nextMethod = 'GET';
              nextBody = undefined;
              for (const h of BODY_HEADERS) delete nextHeaders[h];
            }
            if (next.origin !== url.origin) {
              delete nextHeaders.authorization;
              delete nextHeaders.cookie;
            }
            hop(next, nextMethod, nextHeaders, nextBody, n + 1);
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('error', settle);
          res.on('close', () => {
            if (!res.complete) settle(new Error('connection closed before the response body ended'));
          });
          res.on('end', () => {
            let bytes: Buffer;
            try {
              // One chunk (most JSON answers): used as is, no copy.
              const [only] = chunks;
              bytes = decode(chunks.length === 1 && only ? only : Buffer.concat(chunks, size), res.headers);
            } catch (err) {
              settle(err);
              return;
            }
            settle(undefined, {
              status,
              statusText: res.statusMessage ?? '',
              headers: new NodeResponseHeaders(res.headers),
              body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
            });
          });
        });
        req.end(body);
      };
      hop(new URL(request.url), request.method, { ...request.headers }, request.body, 0);
    });
  }

  public close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agent(protocol: string): http.Agent {
    let agent = this.agents.get(protocol);
    if (!agent) {
      // keepSocketAlive honours the server's `Keep-Alive: timeout=` hint, so we stop reusing a socket before the
      // server closes it.
      const options: http.AgentOptions = {
        keepAlive: true,
        maxSockets: this.options.maxSockets ?? 64,
        maxFreeSockets: this.options.maxFreeSockets ?? 16,
        scheduling: 'lifo',
      };
      agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(protocol, agent);
    }
    return agent;
  }
}

/** Undoes a Content-Encoding the way fetch does (we never ask for one, but a server may send it anyway). */
function decode(body: Buffer, headers: http.IncomingHttpHeaders): Buffer {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity' || body.length === 0) return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

class NodeResponseHeaders implements ResponseHeaders {
  public constructor(private readonly raw: http.IncomingHttpHeaders) {}

  public get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}
