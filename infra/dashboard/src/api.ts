import { currentToken, signOut } from './auth.js';

/** A refusal or failure of the impact API, with its RFC 9457 problem when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail === undefined ? title : `${title}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** GET a public impact API path with the signed-in user's token. Same origin in both setups. */
export async function get<T>(
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const token = currentToken();
  const response = await fetch(`${path}${params.size > 0 ? `?${params}` : ''}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  if (response.status === 401) {
    signOut();
    throw new ApiError(401, 'Your sign-in has expired', 'Sign in again.');
  }
  if (!response.ok) {
    let problem: { title?: string; detail?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(
      response.status,
      problem.title ?? `Request failed (${response.status})`,
      problem.detail,
    );
  }
  return (await response.json()) as T;
}

// The answers the views use: the API's own response types, inferred from its zod schemas
// (type-only imports: nothing of the functions' code enters the page's bundle).
export type {
  FleetHealthResponse,
  HourOfDayResponse,
  ImpactResponse,
  LeaderboardResponse,
  ModelQualityResponse,
  NetImpactResponse,
  RegionsResponse,
  StoreLanesResponse,
  StoreShrinkResponse,
  TeamHoursResponse,
  TeamsResponse,
} from '#api-schemas';
