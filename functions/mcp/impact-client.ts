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

/** A client of the public impact API at `baseUrl`, authenticated with `token` (an ID token). */
export function impactApiClient(baseUrl: string, token: string): ImpactApiClient {
  return {
    async get<T>(path: string, query: Record<string, string | number | undefined> = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const url = `${baseUrl.replace(/\/$/, '')}${path}${params.size > 0 ? `?${params}` : ''}`;
      return answerOf<T>(await fetch(url, { headers: { authorization: `Bearer ${token}` } }));
    },
    async post<T>(path: string, body: unknown) {
      const url = `${baseUrl.replace(/\/$/, '')}${path}`;
      return answerOf<T>(
        await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    },
  };
}
