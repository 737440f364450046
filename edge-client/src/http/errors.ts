/**
 * A request the server refuses, with the status to answer and a client-safe detail. A handler
 * run by `createHardenedServer` may throw one anywhere; the server turns it into the answer.
 */
export class HttpRequestError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = 'HttpRequestError';
  }
}

/** A body over the reader's limit: 413, naming the limit. Nothing past the limit was kept. */
export class BodyTooLargeError extends HttpRequestError {
  constructor(
    readonly limit: number,
    /** Bytes seen (read or declared in `Content-Length`) when the reader gave up. */
    readonly seen: number,
  ) {
    super(413, 'Payload Too Large', `body of ${seen} bytes, over the ${limit}-byte limit`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The client went away before its request was whole (an aborted upload, a reset connection).
 * Nobody is left to answer: the server closes the socket.
 */
export class RequestAbortedError extends HttpRequestError {
  constructor(options?: ErrorOptions) {
    super(400, 'Bad Request', 'the client closed the connection before the body ended', options);
    this.name = 'RequestAbortedError';
  }
}

export const isHttpRequestError = (error: unknown): error is HttpRequestError =>
  error instanceof HttpRequestError;
