import type { z } from 'zod';
import { NoQuery } from './query-params.js';
import * as api from './schemas.js';

/**
 * The Lambda functions behind the HTTP API: the impact API reads the aggregates for people who
 * read figures; the ops API is the operators' (the pipeline's own state: dead letters, shard
 * status; and the replay of dead letters). Each has its own role and grants (least
 * privilege); both sit behind the same stage, authorizer and throttle.
 */
export const API_FUNCTIONS = ['impact-api', 'ops-api'] as const;
export type ApiFunction = (typeof API_FUNCTIONS)[number];

export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly summary: string;
  /** false: public (the API's own documentation); true: bearer JWT required. */
  readonly auth: boolean;
  /** The function that answers it (its integration in AWS, its handler on the local stack). */
  readonly function: ApiFunction;
  readonly query?: z.ZodType;
  readonly pathParams?: z.ZodType;
  /** A POST's JSON body, parsed by the handler like the query (`application/json`). */
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
}

/**
 * The HTTP API's routes: the one list from which the CDK stack creates HTTP API routes (each to
 * its `function`), the embedded server matches requests and picks the handler, the handlers
 * dispatch and the OpenAPI document is generated. `{name}` segments become path parameters.
 * Its schemas are the public ones (`schemas.ts`, `#api-schemas`), so what a client reads is
 * what the handler checks. The `/v1/ops/*` routes answer operator tokens only; every other
 * `/v1` route answers readers of figures only.
 */
export const ROUTES = [
  {
    method: 'GET',
    path: '/v1/impact',
    summary:
      'Totals for a period (and the period before): shrink caught and prevented, hours saved',
    auth: true,
    function: 'impact-api',
    query: api.ImpactQuery,
    response: api.ImpactResponse,
  },
  {
    method: 'GET',
    path: '/v1/stores',
    summary: 'Store leaderboard for a period, sorted by a figure, paged with opaque cursors',
    auth: true,
    function: 'impact-api',
    query: api.LeaderboardQuery,
    response: api.LeaderboardResponse,
  },
  {
    method: 'GET',
    path: '/v1/stores/{storeId}/shrink',
    summary: "A store's shrink series by day, week or month",
    auth: true,
    function: 'impact-api',
    pathParams: api.StorePath,
    query: api.StoreShrinkQuery,
    response: api.StoreShrinkResponse,
  },
  {
    method: 'GET',
    path: '/v1/teams',
    summary: 'Hours saved per team for a period (leadership)',
    auth: true,
    function: 'impact-api',
    query: api.PeriodQuery,
    response: api.TeamsResponse,
  },
  {
    method: 'GET',
    path: '/v1/teams/{teamId}/hours-saved',
    summary: "A team's hours saved by week or month, with incidents by resolution (leadership)",
    auth: true,
    function: 'impact-api',
    pathParams: api.TeamPath,
    query: api.TeamHoursQuery,
    response: api.TeamHoursResponse,
  },
  {
    method: 'GET',
    path: '/v1/fleet/health',
    summary:
      'Fleet health: per store, devices reporting and silent, backlog, clock offsets, daemon versions, complete-through',
    auth: true,
    function: 'impact-api',
    query: api.FleetHealthQuery,
    response: api.FleetHealthResponse,
  },
  {
    method: 'GET',
    path: '/v1/hour-of-day',
    summary:
      'When loss happens: a store or region by store-local hour of day and category (at most 31 days), with what it cost to read',
    auth: true,
    function: 'impact-api',
    query: api.HourOfDayQuery,
    response: api.HourOfDayResponse,
  },
  {
    method: 'GET',
    path: '/v1/model-quality',
    summary:
      'Model quality by version and category for a store or region (at most 31 days): detections, outcome mix, false-positive rate, loss prevented per detection; two versions compared over the stores that ran both',
    auth: true,
    function: 'impact-api',
    query: api.ModelQualityQuery,
    response: api.ModelQualityResponse,
  },
  {
    method: 'GET',
    path: '/v1/stores/{storeId}/lanes',
    summary:
      "A store's lanes (at most 31 days): detections, outcome mix and false-positive rate per lane, with lanes far above the store's rate flagged",
    auth: true,
    function: 'impact-api',
    pathParams: api.StorePath,
    query: api.StoreLanesQuery,
    response: api.StoreLanesResponse,
  },
  {
    method: 'GET',
    path: '/v1/regions',
    summary:
      "The regions the token may pick from, each with its count of stores in the token's scope",
    auth: true,
    function: 'impact-api',
    query: NoQuery,
    response: api.RegionsResponse,
  },
  {
    method: 'GET',
    path: '/v1/net-impact',
    summary:
      'Net impact of the organisation (leadership): loss prevented + hours saved x a loaded rate - the pipeline running cost, with every assumption',
    auth: true,
    function: 'impact-api',
    query: api.PeriodQuery,
    response: api.NetImpactResponse,
  },
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    auth: false,
    function: 'impact-api',
    query: NoQuery,
  },
  {
    method: 'GET',
    path: '/docs',
    summary: 'This API, readable',
    auth: false,
    function: 'impact-api',
    query: NoQuery,
  },
  {
    method: 'GET',
    path: '/v1/ops/dead-letters',
    summary:
      'Dead letters (records that can never count) by arrival date, reason and device, with a count per reason (operators)',
    auth: true,
    function: 'ops-api',
    query: api.DeadLetterListQuery,
    response: api.DeadLetterListResponse,
  },
  {
    method: 'GET',
    path: '/v1/ops/dead-letter',
    summary:
      "One dead letter explained: its reason and what it means, the contract's field issues, the stream position and the likely fix (operators)",
    auth: true,
    function: 'ops-api',
    query: api.DeadLetterIdQuery,
    response: api.DeadLetterResponse,
  },
  {
    method: 'POST',
    path: '/v1/ops/dead-letters/replay',
    summary:
      'After a fix, replays dead letters from the stream through the exactly-once processor: a dry run answers the plan and a confirm token, which a replay (dryRun false) must send back (operators)',
    auth: true,
    function: 'ops-api',
    query: NoQuery,
    body: api.ReplayRequest,
    response: api.ReplayResponse,
  },
  {
    method: 'GET',
    path: '/v1/ops/pipeline-status',
    summary:
      "The pipeline's own health: each shard's state and iterator age, the last 24 hours' dead letters per hour, and recent errors (operators)",
    auth: true,
    function: 'ops-api',
    query: NoQuery,
    response: api.PipelineStatusResponse,
  },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof ROUTES)[number];
type KeyOf<R extends Route> = R extends Route ? `${R['method']} ${R['path']}` : never;
/** The key of a route (`METHOD /path`, API Gateway's routeKey), of one function's routes if named. */
export type RouteKey<F extends ApiFunction = ApiFunction> = KeyOf<Extract<Route, { function: F }>>;

/** The routes one function answers. */
export const routesOf = (fn: ApiFunction): readonly RouteDefinition[] =>
  ROUTES.filter((route) => route.function === fn);

export const routeKeyOf = (route: Pick<RouteDefinition, 'method' | 'path'>): RouteKey =>
  `${route.method} ${route.path}` as RouteKey;

/** Matches a concrete path against a route template; returns its path parameters or undefined. */
export function matchRoute(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
