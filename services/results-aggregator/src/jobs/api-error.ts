// One error shape for every answer of the jobs API: the HTTP status, a stable code, a sentence saying what is
// wrong, and for input problems the fields at fault. `detail` is the blueprint's key (FastAPI HTTPException), so
// its client code that prints `response.json()["detail"]` keeps working; unlike FastAPI's 422, it is always a string.
import { type ZodError } from 'zod';

export type ApiErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unprocessable' | 'unavailable' | 'internal';

export interface FieldProblem {
  /** Dotted path in the request, e.g. `data_split_config.val_ratio`, or the query/path parameter name. */
  readonly field: string;
  readonly message: string;
}

export interface ApiErrorBody {
  readonly status: number;
  readonly error: ApiErrorCode;
  readonly detail: string;
  readonly fields?: readonly FieldProblem[];
}

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends Error {
  public readonly status: number;

  public constructor(
    public readonly code: ApiErrorCode,
    message: string,
    public readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS[code];
  }

  public body(): ApiErrorBody {
    return {
      status: this.status,
      error: this.code,
      detail: this.message,
      ...(this.fields.length > 0 ? { fields: this.fields } : {}),
    };
  }

  /** Every zod issue as a field problem; the message names them all. */
  public static fromZod(
    code: ApiErrorCode,
    what: string,
    error: ZodError,
    options: { readonly root?: string; readonly flat?: boolean } = {},
  ): ApiError {
    const fields = error.issues.map((i) => ({
      field: (options.flat ? i.path.slice(0, 1) : i.path).map(String).join('.') || (options.root ?? '(body)'),
      message: i.message,
    }));
    return ApiError.withFields(code, what, fields);
  }

  public static withFields(code: ApiErrorCode, what: string, fields: readonly FieldProblem[]): ApiError {
    return new ApiError(code, `${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  }
}
