// Typed errors of the bus. Callers branch on the class (and DecodeError.kind), never on message text.

export class BusConfigError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid event bus configuration: ${problems.join('; ')}`);
    this.name = 'BusConfigError';
  }
}

export class PublishError extends Error {
  public constructor(
    public readonly topic: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`publish to '${topic}' failed: ${message}`, options);
    this.name = 'PublishError';
  }
}

export class SchemaRegistrationError extends Error {
  public constructor(
    public readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`registering the schema of subject '${subject}' failed: ${errorText(options?.cause)}`, options);
    this.name = 'SchemaRegistrationError';
  }
}

/** Why a record could not become a payload. Every kind sends the record to the dead-letter topic. */
/** too-large: the value exceeds the consumer's size limit (checked before decoding; batch consumers only). */
export type DecodeErrorKind = 'magic' | 'unknown-schema' | 'corrupt' | 'invalid-payload' | 'too-large';

export class DecodeError extends Error {
  public constructor(
    public readonly kind: DecodeErrorKind,
    message: string,
    public readonly schemaId?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

/**
 * Throw this (or any error with `retriable: false`, kafkajs's marker) from a handler when trying again cannot
 * help: the event goes to the dead-letter topic at once instead of being retried.
 */
export class NonRetriableError extends Error {
  public readonly retriable = false;

  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

export class HandlerTimeoutError extends Error {
  public constructor(public readonly timeoutMs: number) {
    super(`handler did not finish within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}
