/** The impact API as its callers see it: HTTP, with the caller's own token. */
export class ImpactApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(`${status} ${title}${detail === undefined ? '' : `: ${detail}`}`);
    this.name = 'ImpactApiError';
  }
}

export interface ImpactApiClient {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  /** A POST of `body` as JSON (the ops API's replay). */
  post<T>(path: string, body: unknown): Promise<T>;
}

/** The answer as JSON, or the problem document it carries as an ImpactApiError. */
async function answerOf<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new ImpactApiError(
      res.status,
      String(body.title ?? body.message ?? res.statusText),
      typeof body.detail === 'string' ? body.detail : undefined,
    );
  }
  return body as T;
}

/**
 * How long one call may take, answer and body: under the MCP function's 29 s (the impact API's
 * own limit is 30 s), so a stuck API gives the assistant a tool error, not a killed function
 * and a bare gateway 500.
 */
export const API_TIMEOUT_MS = 20_000;

/** A call past its time, refused by name; a POST may still complete on the API's side. */
async function timed<T>(timeoutMs: number, request: (signal: AbortSignal) => Promise<T>) {
  const signal = AbortSignal.timeout(timeoutMs);
  const late = () =>
    new Error(
      `The impact API did not answer within ${timeoutMs / 1000} s (a POST may still complete on its side)`,
    );
  let answer: T;
  try {
    answer = await request(signal);
  } catch (error) {
    throw signal.aborted ? late() : error;
  }
  // A body cut off by the timeout reads as no body: refused too, not taken as an answer.
  if (signal.aborted) throw late();
  return answer;
}

/**
 * A client of the public impact API at `baseUrl`, authenticated with `token` (an ID token);
 * each call is bounded by `timeoutMs`, its body included.
 */
export function impactApiClient(
  baseUrl: string,
  token: string,
  timeoutMs = API_TIMEOUT_MS,
): ImpactApiClient {
  return {
    async get<T>(path: string, query: Record<string, string | number | undefined> = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const url = `${baseUrl.replace(/\/$/, '')}${path}${params.size > 0 ? `?${params}` : ''}`;
      return timed(timeoutMs, async (signal) =>
        answerOf<T>(await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal })),
      );
    },
    async post<T>(path: string, body: unknown) {
      const url = `${baseUrl.replace(/\/$/, '')}${path}`;
      return timed(timeoutMs, async (signal) =>
        answerOf<T>(
          await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal,
          }),
        ),
      );
    },
  };
}
