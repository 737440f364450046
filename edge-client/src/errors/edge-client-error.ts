/** Base class of every error the edge client throws; test with `isEdgeClientError`. */
export class EdgeClientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EdgeClientError';
  }
}

export function isEdgeClientError(error: unknown): error is EdgeClientError {
  return error instanceof EdgeClientError;
}
