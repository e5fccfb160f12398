// Failures that stop a curation run. Each names the numbers behind it so an operator can act without a debugger.

export class InsufficientRecordsError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InsufficientRecordsError';
  }
}

export class EmbeddingFailureError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddingFailureError';
  }
}
