// Typed errors of the stores. Every failure names the operation and the backend; callers branch on the class and
// `kind`, never on message text.

export type StoreBackend = 'sqlite' | 'elasticsearch' | 'mongodb';

/**
 * not-found / conflict: the caller's request cannot succeed as asked. timeout / unavailable: the backend did not
 * answer (retrying may help). invalid: bad input (a time bound that is not a time, a record without ids).
 * backend: anything else the backend reported.
 */
export type StoreErrorKind = 'not-found' | 'conflict' | 'timeout' | 'unavailable' | 'invalid' | 'backend';

export class StoreError extends Error {
  public constructor(
    public readonly operation: string,
    public readonly backend: StoreBackend,
    public readonly kind: StoreErrorKind,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${backend} store: ${operation} failed (${kind}): ${detail}`, options);
    this.name = 'StoreError';
  }

  /** True when the same call may succeed later (the backend was slow or away). */
  public get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'unavailable';
  }
}

export class NotFoundError extends StoreError {
  public constructor(
    operation: string,
    backend: StoreBackend,
    public readonly entity: string,
    public readonly id: string,
  ) {
    super(operation, backend, 'not-found', `${entity} '${id}' does not exist`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends StoreError {
  public constructor(
    operation: string,
    backend: StoreBackend,
    public readonly entity: string,
    public readonly id: string,
    options?: { cause?: unknown },
  ) {
    super(operation, backend, 'conflict', `${entity} '${id}' already exists`, options);
    this.name = 'ConflictError';
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Wraps whatever a backend threw; StoreErrors pass through unchanged. */
export function asStoreError(err: unknown, operation: string, backend: StoreBackend): StoreError {
  if (err instanceof StoreError) return err;
  const kind: StoreErrorKind = err instanceof RangeError || err instanceof TypeError ? 'invalid' : 'backend';
  return new StoreError(operation, backend, kind, errorText(err), { cause: err });
}
