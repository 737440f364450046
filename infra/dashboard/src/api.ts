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

// The answers the views use (the API's OpenAPI document at /openapi.json has them all).
export interface ShrinkFigures {
  detections: number;
  detectionsByCategory: Record<string, number>;
  lossDetectedCents: number;
  lossPreventedCents: number;
  confirmedLossCents: number;
  outcomes: number;
  outcomesByKind: Record<string, number>;
  falsePositives: number;
  falsePositiveRate: number | null;
}
export interface HoursSavedFigures {
  incidents: number;
  incidentsByResolution: Record<string, number>;
  engineerMinutes: number;
  minutesSaved: number;
  hoursSaved: number;
  automatedShare: number | null;
}
export interface Period {
  from: string;
  to: string;
}
export interface ImpactResponse {
  period: Period;
  region: string | null;
  currency: string;
  shrink: ShrinkFigures;
  hoursSaved: (HoursSavedFigures & { weeks: Period }) | null;
  series: {
    days: (ShrinkFigures & { period: string })[];
    weeks: (HoursSavedFigures & { period: string })[] | null;
  };
  previous: { period: Period; shrink: ShrinkFigures; hoursSaved: HoursSavedFigures | null };
}
export interface LeaderboardResponse {
  currency: string;
  stores: (Omit<ShrinkFigures, 'detectionsByCategory' | 'outcomesByKind'> & {
    rank: number;
    storeId: string;
  })[];
  nextCursor: string | null;
}
export interface StoreShrinkResponse {
  storeId: string;
  region: string;
  timeZone: string;
  currency: string;
  total: ShrinkFigures;
  series: (ShrinkFigures & { period: string })[];
}
export interface TeamsResponse {
  weeks: Period;
  teams: (HoursSavedFigures & { teamId: string })[];
}
export interface TeamHoursResponse {
  teamId: string;
  series: (HoursSavedFigures & { period: string })[];
}
