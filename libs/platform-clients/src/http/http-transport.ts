// The port HttpClient sends through: one request in, status + headers + whole body out. The transport owns the
// deadline (covering the body) and the caller's abort, and says which of the two ended a request, so the client can
// name the failure. Default: the node:http transport (node-http-transport.ts); `fetchTransport` adapts any fetch
// (tests that fake responses, or a caller that wants undici).

export interface TransportRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: string;
  /** From the first byte sent to the last byte of the body read, redirects included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Read-only response headers: names are case-insensitive, repeated values are joined with ", ". */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  headers: ResponseHeaders;
  /** The whole body, exactly as sent (after any Content-Encoding is undone). */
  body: Uint8Array;
}

export interface HttpTransport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Frees pooled connections (idle keep-alive sockets never hold the process open anyway). */
  close?(): void;
}

/** The request's deadline passed before the whole body arrived. */
export class TransportTimeoutError extends Error {
  public constructor(public readonly timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'TransportTimeoutError';
  }
}

/** The caller's signal ended the request. */
export class TransportAbortedError extends Error {
  public constructor() {
    super('aborted by the caller');
    this.name = 'TransportAbortedError';
  }
}

/** Wraps a fetch (web semantics: follows redirects, undoes compression) as a transport. */
export function fetchTransport(fetchImpl: typeof fetch): HttpTransport {
  return {
    async send(req: TransportRequest): Promise<TransportResponse> {
      const timeout = AbortSignal.timeout(req.timeoutMs);
      const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
      try {
        const res = await fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
        const body = new Uint8Array(await res.arrayBuffer());
        return { status: res.status, statusText: res.statusText, headers: res.headers, body };
      } catch (err) {
        if (req.signal?.aborted) throw new TransportAbortedError();
        if (timeout.aborted) throw new TransportTimeoutError(req.timeoutMs);
        throw err;
      }
    },
  };
}
