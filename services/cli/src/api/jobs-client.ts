// A client of the jobs API (results-aggregator): every call has a timeout, reads are retried a few times with
// backoff when the server cannot be reached or answers 5xx (they are idempotent; creating a job is not retried), and
// every answer is checked with zod. Failures become CliErrors that say what went wrong in the API's own words.
import { type z } from 'zod';
import { CliError, ExitCode, rootCauseText } from '../errors';
import {
  apiErrorBodySchema,
  jobActionSchema,
  jobCreatedSchema,
  jobDetailSchema,
  jobListSchema,
  promoteSchema,
  reportSchema,
  type JobAction,
  type JobCreated,
  type JobDetail,
  type JobList,
  type JobReport,
  type Promoted,
} from './api-schemas';

export interface JobsClientOptions {
  /** e.g. http://127.0.0.1:8000 (no trailing slash). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Extra attempts of idempotent calls (default 2). */
  readonly retries?: number;
  readonly backoffMs?: number;
}

/** The API answered with an error status: its message, the status, the fields it named. */
export class JobsApiError extends CliError {
  public constructor(
    public readonly status: number,
    public readonly detail: string,
  ) {
    super(`${detail} (HTTP ${status})`, ExitCode.failure);
    this.name = 'JobsApiError';
  }
}

export interface ListQuery {
  readonly workloadId?: string;
  readonly clientId?: string;
  readonly status?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

class Unreachable extends Error {}

export class JobsClient {
  public constructor(private readonly options: JobsClientOptions) {}

  public get baseUrl(): string {
    return this.options.baseUrl;
  }

  public create(body: unknown): Promise<JobCreated> {
    return this.call('POST', '/api/jobs', jobCreatedSchema, { body, idempotent: false });
  }

  public list(query: ListQuery = {}): Promise<JobList> {
    const params = new URLSearchParams();
    if (query.workloadId !== undefined) params.set('workload_id', query.workloadId);
    if (query.clientId !== undefined) params.set('client_id', query.clientId);
    if (query.status !== undefined) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const qs = params.toString();
    return this.call('GET', `/api/jobs${qs === '' ? '' : `?${qs}`}`, jobListSchema);
  }

  public get(id: string): Promise<JobDetail> {
    return this.call('GET', `/api/jobs/${encodeURIComponent(id)}`, jobDetailSchema);
  }

  public report(id: string): Promise<JobReport> {
    return this.call('GET', `/api/jobs/${encodeURIComponent(id)}/report`, reportSchema);
  }

  public cancel(id: string): Promise<JobAction> {
    // Cancel is idempotent on the server (a repeat answers "already cancelled"), so it may be retried.
    return this.call('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`, jobActionSchema);
  }

  public delete(id: string): Promise<JobAction> {
    return this.call('DELETE', `/api/jobs/${encodeURIComponent(id)}`, jobActionSchema, { idempotent: false });
  }

  public promote(id: string, body: Record<string, string>): Promise<Promoted> {
    return this.call('POST', `/api/jobs/${encodeURIComponent(id)}/promote`, promoteSchema, {
      body,
      idempotent: false,
    });
  }

  private async call<S extends z.ZodTypeAny>(
    method: string,
    path: string,
    schema: S,
    opts: { body?: unknown; idempotent?: boolean } = {},
  ): Promise<z.output<S>> {
    const attempts = 1 + (opts.idempotent === false ? 0 : (this.options.retries ?? 2));
    const backoff = this.options.backoffMs ?? 300;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once(method, path, schema, opts.body);
      } catch (err) {
        last = err;
        const retriable = err instanceof Unreachable || (err instanceof JobsApiError && err.status >= 500);
        if (!retriable || attempt === attempts) break;
        await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
      }
    }
    if (last instanceof Unreachable) throw new CliError(last.message, ExitCode.failure, { cause: last });
    throw last;
  }

  private async once<S extends z.ZodTypeAny>(
    method: string,
    path: string,
    schema: S,
    body: unknown,
  ): Promise<z.output<S>> {
    const url = `${this.options.baseUrl}${path}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new Unreachable(
          `the jobs API at ${this.options.baseUrl} did not answer ${method} ${path} within ` +
            `${this.options.timeoutMs / 1000} s`,
        );
      }
      throw new Unreachable(
        `cannot reach the jobs API at ${this.options.baseUrl} (${rootCauseText(err)}): ` +
          'is `flywheel up` running? (set --api-url or FLYWHEEL_API_URL for another address)',
      );
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = apiErrorBodySchema.safeParse(json);
      const detail = error.success ? error.data.detail : text.trim().slice(0, 300) || res.statusText;
      throw new JobsApiError(res.status, detail);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      throw new CliError(`unexpected answer from the jobs API to ${method} ${path}: ${issues}`);
    }
    return parsed.data as z.output<S>;
  }
}
