// The shared HTTP layer of every adapter: per-call timeout (covering the body too),
// bounded jittered retries, typed errors naming the call, zod validation of every JSON body, one span per call and
// one report per call to the observer (the service's metrics). Each request carries the call span's trace context
// (W3C `traceparent`), so a traced platform (and the simulator) continues the run's trace. Requests go through an
// HttpTransport: node:http with a keep-alive agent by default (far cheaper in CPU than global fetch).
import { type Attributes, type Span, context, propagation } from '@opentelemetry/api';
import { type ZodType, type ZodTypeDef } from 'zod';
import {
  PlatformAbortedError,
  PlatformError,
  PlatformHttpError,
  PlatformNetworkError,
  PlatformResponseError,
  PlatformTimeoutError,
} from '../errors';
import { type HttpMethod, type PlatformObserver, observeCall } from './call-observer';
import {
  type HttpTransport,
  type ResponseHeaders,
  type TransportResponse,
  TransportAbortedError,
  TransportTimeoutError,
  fetchTransport,
} from './http-transport';
import { NodeHttpTransport } from './node-http-transport';
import { type RetryDecision, type RetryPolicy, parseRetryAfter, retryPolicySchema, sleep, withRetries } from './retry';
import { inSpan } from './tracing';

export { type HttpMethod } from './call-observer';
export { type ResponseHeaders } from './http-transport';

/** Any zod schema whose output is T (input may differ: defaults, transforms). */
export type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sent on every request (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Where requests go. Default: `fetch` when given (tests that fake responses), else node:http with keep-alive. */
  transport?: HttpTransport;
  /** Used by `rawFetch` (third-party clients), and as the transport when no `transport` is given. */
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Told of every call's outcome, duration and attempts (the service's metrics). */
  observer?: PlatformObserver;
}

export interface HttpRequest {
  /** `<service>.<operation>`, used in errors and as the span name. */
  call: string;
  method: HttpMethod;
  /** Appended to the base URL; callers encode path segments. */
  path: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Statuses that count as an answer (default: any 2xx). */
  accept?: readonly number[];
  /** Default: true for GET/PUT/DELETE, false for POST/PATCH. */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra attributes of the call's span (e.g. the GenAI conventions); never request or response text. */
  spanAttributes?: Attributes;
}

export interface HttpResponse {
  status: number;
  /** The body decoded as UTF-8. */
  text: string;
  /** The body as sent (binary answers such as ZIP archives). */
  bytes: Uint8Array;
  headers: ResponseHeaders;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpClient {
  public readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly transport: HttpTransport;
  private readonly sleepImpl: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly headers: Record<string, string>;
  public readonly observer: PlatformObserver | undefined;

  public constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = retryPolicySchema.parse(options.retry ?? {});
    this.fetchImpl = options.fetch ?? fetch;
    this.transport = options.transport ?? (options.fetch ? fetchTransport(options.fetch) : defaultTransport());
    this.sleepImpl = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.headers = options.headers ?? {};
    this.observer = options.observer;
  }

  /** Sends the request and returns status and raw text for any accepted status. */
  public send(req: HttpRequest): Promise<HttpResponse> {
    return this.call(req, (res) => res);
  }

  /**
   * Sends the request and validates the JSON body of an accepted response (inside the call's span, so a body that
   * does not validate fails the call). `responseSpanAttributes` adds attributes from the validated body.
   */
  public json<T>(
    req: HttpRequest & { schema: Schema<T>; responseSpanAttributes?: (body: T) => Attributes },
  ): Promise<T> {
    return this.call(
      req,
      (res) => parseJson(req.call, res.text, req.schema),
      (body, span) => {
        if (req.responseSpanAttributes) span.setAttributes(req.responseSpanAttributes(body));
      },
    );
  }

  private call<T>(
    req: HttpRequest,
    read: (res: HttpResponse) => T,
    annotate?: (value: T, span: Span) => void,
  ): Promise<T> {
    const url = `${this.baseUrl}${req.path}`;
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    return observeCall(this.observer, req.call, req.method, (attempted) =>
      inSpan(
        req.call,
        {
          'http.request.method': req.method,
          'url.full': url,
          'flywheel.platform.idempotent': idempotent,
          ...req.spanAttributes,
        },
        async (span) => {
          const response = await withRetries(
            { policy: this.policy, sleep: this.sleepImpl, random: this.random },
            req.call,
            () => {
              attempted();
              return this.once(req, url);
            },
            (err) => classify(err, idempotent),
            req.signal,
            (n, err, delayMs) => span.addEvent('retry', { attempt: n, delay_ms: delayMs, error: String(unwrap(err)) }),
          ).catch((err: unknown) => {
            throw unwrap(err);
          });
          span.setAttribute('http.response.status_code', response.status);
          const value = read(response);
          annotate?.(value, span);
          return value;
        },
      ),
    );
  }

  /**
   * A fetch for third-party clients (the HF hub client): the timeout, and our base headers in place of any
   * Authorization the client set (the hub client insists on a placeholder `hf_` token). Our headers go to our
   * own origin only: an LFS upload URL on other storage (e.g. a presigned S3 URL) must not get our bearer token.
   */
  public rawFetch(timeoutMs = this.timeoutMs): typeof fetch {
    const origin = new URL(this.baseUrl).origin;
    return (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      const target = new URL(input instanceof Request ? input.url : String(input));
      if (target.origin === origin) for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
      propagation.inject(context.active(), headers, HEADERS_SETTER);
      const signals = [AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])];
      return this.fetchImpl(input, { ...init, headers, signal: AbortSignal.any(signals) });
    };
  }

  public get retryRuntime(): { policy: RetryPolicy; sleep: typeof sleep; random: () => number } {
    return { policy: this.policy, sleep: this.sleepImpl, random: this.random };
  }

  private async once(req: HttpRequest, url: string): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...req.headers };
    propagation.inject(context.active(), headers);
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    try {
      const res = await this.transport.send({ method: req.method, url, headers, body, timeoutMs, signal: req.signal });
      const text = UTF8.decode(res.body);
      const accepted = req.accept ? req.accept.includes(res.status) : res.status >= 200 && res.status < 300;
      if (!accepted) throw new RejectedStatus(new PlatformHttpError(req.call, res.status, res.statusText, text), res);
      return { status: res.status, text, bytes: res.body, headers: res.headers };
    } catch (err) {
      if (err instanceof RejectedStatus) throw err;
      if (err instanceof TransportAbortedError || req.signal?.aborted) throw new PlatformAbortedError(req.call);
      if (err instanceof TransportTimeoutError) throw new PlatformTimeoutError(req.call, timeoutMs);
      throw new PlatformNetworkError(req.call, err);
    }
  }
}

/**
 * One keep-alive pool for the process (node's agent pools per origin, up to maxSockets each): adapters build
 * HttpClients freely (a chat client per model, per judge), and they should still share warm connections.
 */
let sharedTransport: NodeHttpTransport | undefined;
function defaultTransport(): NodeHttpTransport {
  sharedTransport ??= new NodeHttpTransport();
  return sharedTransport;
}

/** Shared: decoding is stateless without `stream`. Strips a BOM, as fetch's `text()` does. */
const UTF8 = new TextDecoder();
const HEADERS_SETTER = { set: (carrier: Headers, key: string, value: string): void => carrier.set(key, value) };

/** Carries the typed error plus the Retry-After header through the retry loop. */
class RejectedStatus extends Error {
  public constructor(
    public readonly error: PlatformHttpError,
    public readonly response: TransportResponse,
  ) {
    super(error.message);
  }
}

function classify(err: unknown, idempotent: boolean): RetryDecision {
  if (err instanceof RejectedStatus) {
    const status = err.error.status;
    if (status === 429 || status === 503) {
      return { retry: true, retryAfterMs: parseRetryAfter(err.response.headers.get('retry-after')) };
    }
    return { retry: idempotent && (status === 500 || status === 502 || status === 504) };
  }
  if (err instanceof PlatformTimeoutError || err instanceof PlatformNetworkError) return { retry: idempotent };
  return { retry: false };
}

/** Unwraps the internal carrier so callers only ever see PlatformError subclasses. */
export function unwrap(err: unknown): unknown {
  return err instanceof RejectedStatus ? err.error : err;
}

export function parseJson<T>(call: string, text: string, schema: Schema<T>): T {
  let value: unknown;
  try {
    value = text === '' ? undefined : JSON.parse(text);
  } catch (err) {
    throw new PlatformResponseError(call, `malformed JSON body: ${text.slice(0, 120)}`, err);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new PlatformResponseError(call, `body does not match the expected shape (${issues})`, parsed.error);
  }
  return parsed.data;
}

export function isPlatformError(err: unknown): err is PlatformError {
  return err instanceof PlatformError;
}
