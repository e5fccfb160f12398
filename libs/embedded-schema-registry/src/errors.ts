// Registry failures carry Confluent's HTTP status and error_code so the HTTP layer can answer exactly what
// Confluent clients (kafkajs' schema-registry client, Java serializers) expect to see.
import { type ZodError } from 'zod';

export class RegistryError extends Error {
  public constructor(
    public readonly status: number,
    public readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  public toBody(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const subjectNotFound = (subject: string): RegistryError =>
  new RegistryError(404, 40401, `Subject '${subject}' not found.`);

export const versionNotFound = (version: number | string): RegistryError =>
  new RegistryError(404, 40402, `Version ${version} not found.`);

export const schemaNotFound = (detail = 'Schema not found'): RegistryError => new RegistryError(404, 40403, detail);

export const subjectConfigNotFound = (subject: string): RegistryError =>
  new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);

export const invalidSchema = (reason: string): RegistryError =>
  new RegistryError(422, 42201, `Invalid schema: ${reason}`);

export const invalidVersion = (version: string): RegistryError =>
  new RegistryError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. ` +
      'Allowed values are between [1, 2^31-1] and the string "latest"',
  );

export const invalidCompatibilityLevel = (level: string): RegistryError =>
  new RegistryError(
    422,
    42203,
    `Invalid compatibility level '${level}'. Valid values are none, backward, forward, full, ` +
      'backward_transitive, forward_transitive, and full_transitive',
  );

export const referenceExists = (subject: string, version: number): RegistryError =>
  new RegistryError(422, 42206, `One or more references exist to the schema {subject=${subject}, version=${version}}`);

export const incompatibleSchema = (subject: string, details: readonly string[]): RegistryError =>
  new RegistryError(
    409,
    409,
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", ` +
      `details: [${details.join('; ')}]`,
  );

export const storeFailure = (reason: string): RegistryError =>
  new RegistryError(500, 50001, `Error in the backend data store: ${reason}`);

/** One line naming each failing path, for messages about request bodies and state files. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

// Structural, not instanceof: errors from node's core can come from another realm (e.g. under Jest).
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
    return err.message;
  }
  return String(err);
}

export const malformedBody = (reason: string): RegistryError => new RegistryError(400, 400, reason);

export const unprocessableBody = (reason: string): RegistryError =>
  new RegistryError(422, 422, `Unprocessable request body: ${reason}`);

export const bodyTooLarge = (limit: number): RegistryError =>
  new RegistryError(413, 413, `Request body exceeds the limit of ${limit} bytes`);

export const routeNotFound = (method: string, path: string): RegistryError =>
  new RegistryError(404, 404, `HTTP 404 Not Found: no route for ${method} ${path}`);

export const methodNotAllowed = (method: string, path: string): RegistryError =>
  new RegistryError(405, 405, `HTTP 405 Method Not Allowed: ${method} is not supported on ${path}`);
