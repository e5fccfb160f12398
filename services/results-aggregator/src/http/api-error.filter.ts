// Every error of the jobs API leaves in the one shape of ApiError.body(): use-case errors as they are, Nest's own
// HTTP errors (malformed JSON, unknown route, oversized body) mapped to it, anything else a 500 that names the error
// without leaking a stack. Registered app-wide (APP_FILTER) so errors raised before routing — body-parser's — are
// covered too.
import { ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ApiError, type ApiErrorCode } from '../jobs/api-error';

/** The parts of express's request and response used here (its types are not installed). */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}
interface PathRequest {
  readonly path?: string;
  readonly url?: string;
}

const CODE_OF: Readonly<Record<number, ApiErrorCode>> = {
  400: 'bad_request',
  404: 'not_found',
  409: 'conflict',
  413: 'bad_request',
  415: 'bad_request',
  422: 'unprocessable',
  503: 'unavailable',
};

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('JobsApi');

  public catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<JsonResponse>();
    const request = http.getRequest<PathRequest>();
    const path = request.path ?? request.url ?? '';
    // Only the jobs API speaks this shape; health and metrics keep their own bodies (a 503 carries the report).
    if (!path.startsWith('/api/') && path !== '/api' && exception instanceof HttpException) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const error = toApiError(exception);
    if (error.status >= 500) this.logger.error(error.message);
    response.status(error.status).json(error.body());
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = CODE_OF[status] ?? (status >= 500 ? 'internal' : 'bad_request');
    const error = new ApiError(code, describe(exception));
    return Object.assign(error, { status });
  }
  // body-parser's errors carry a status (400 malformed JSON, 413 too large) but are not HttpExceptions.
  const status = (exception as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = exception instanceof Error ? exception.message : String(exception);
    return Object.assign(new ApiError(CODE_OF[status] ?? 'bad_request', `Malformed request body: ${message}`), {
      status,
    });
  }
  const message = exception instanceof Error ? exception.message : String(exception);
  return new ApiError('internal', `Internal error: ${message}`);
}

function describe(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}
