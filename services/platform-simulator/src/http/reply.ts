// Request and reply values the route handlers exchange with the server.
import { type z } from 'zod';

export interface SimRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The query string (list routes read `page`, `page_size`, `sort`, `filter[...]`). */
  query?: URLSearchParams;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless `raw` is set. */
  json?: unknown;
  raw?: Buffer | string;
}

export function ok(json: unknown, status = 200): Reply {
  return { status, json };
}

/** NeMo microservices answer errors as `{detail}`; OpenAI-style ones use `{error: {message, type}}`. */
export function fail(status: number, detail: string): Reply {
  return { status, json: { detail, error: { message: detail, type: errorType(status) } } };
}

/** Hugging Face Hub clients read errors as `{error: "<message>"}` (the Data Store's `/v1/hf` routes answer so). */
export function hubStyle(reply: Reply): Reply {
  if (reply.status < 400 || reply.json === null || typeof reply.json !== 'object') return reply;
  const detail = (reply.json as { detail?: unknown }).detail;
  return typeof detail === 'string' ? { ...reply, json: { error: detail } } : reply;
}

function errorType(status: number): string {
  if (status === 404) return 'NotFoundError';
  if (status === 409) return 'ConflictError';
  if (status === 422 || status === 400) return 'BadRequestError';
  return 'ServerError';
}

export class BadRequest extends Error {}

/** Parses and validates a JSON body; a bad body becomes a 422 through BadRequest. */
export function jsonBody<T>(req: SimRequest, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8') || 'null');
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new BadRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export function formBody(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}
