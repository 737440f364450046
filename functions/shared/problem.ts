/** RFC 9457 problem details. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly { readonly name: string; readonly reason: string }[];
}

const TYPE_BASE = 'https://store-floor-impact.dev/problems/';

/** An error a handler throws to answer with a problem document; its text is client-safe. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: ProblemDetails['errors'],
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  toProblem(instance: string, requestId: string): ProblemDetails {
    return {
      type: `${TYPE_BASE}${this.slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined && { detail: this.detail }),
      instance,
      requestId,
      ...(this.errors !== undefined && { errors: this.errors }),
    };
  }
}

export const isHttpProblem = (error: unknown): error is HttpProblem => error instanceof HttpProblem;

export const invalidParameters = (errors: NonNullable<ProblemDetails['errors']>) =>
  new HttpProblem(
    400,
    'invalid-parameters',
    'Invalid request parameters',
    errors.map((e) => `${e.name}: ${e.reason}`).join('; '),
    errors,
  );

export const unauthorized = () =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', 'a valid bearer token is required');

export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail);

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not Found', detail);

/** The request is well formed but conflicts with the state now (e.g. a stale confirmation). */
export const conflict = (detail: string) => new HttpProblem(409, 'conflict', 'Conflict', detail);

/** The answer to anything unexpected: no internal text, only the request id to look it up. */
export const internalError = () =>
  new HttpProblem(500, 'internal', 'Internal Server Error', 'the request id identifies the logs');
