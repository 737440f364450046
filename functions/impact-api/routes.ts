import type { z } from 'zod';
import { NoQuery } from './query-params.js';
import * as api from './schemas.js';

export interface RouteDefinition {
  readonly method: 'GET';
  readonly path: string;
  readonly summary: string;
  /** false: public (the API's own documentation); true: bearer JWT required. */
  readonly auth: boolean;
  readonly query?: z.ZodType;
  readonly pathParams?: z.ZodType;
  readonly response?: z.ZodType;
}

/**
 * The impact API's routes: the one list from which the CDK stack creates HTTP API routes, the
 * embedded server matches requests, the handler dispatches and the OpenAPI document is
 * generated. `{name}` segments become path parameters. Its schemas are the public ones
 * (`schemas.ts`, `#api-schemas`), so what a client reads is what the handler checks.
 */
export const ROUTES = [
  {
    method: 'GET',
    path: '/v1/impact',
    summary:
      'Totals for a period (and the period before): shrink caught and prevented, hours saved',
    auth: true,
    query: api.ImpactQuery,
    response: api.ImpactResponse,
  },
  {
    method: 'GET',
    path: '/v1/stores',
    summary: 'Store leaderboard for a period, sorted by a figure, paged with opaque cursors',
    auth: true,
    query: api.LeaderboardQuery,
    response: api.LeaderboardResponse,
  },
  {
    method: 'GET',
    path: '/v1/stores/{storeId}/shrink',
    summary: "A store's shrink series by day, week or month",
    auth: true,
    pathParams: api.StorePath,
    query: api.StoreShrinkQuery,
    response: api.StoreShrinkResponse,
  },
  {
    method: 'GET',
    path: '/v1/teams',
    summary: 'Hours saved per team for a period (leadership)',
    auth: true,
    query: api.PeriodQuery,
    response: api.TeamsResponse,
  },
  {
    method: 'GET',
    path: '/v1/teams/{teamId}/hours-saved',
    summary: "A team's hours saved by week or month, with incidents by resolution (leadership)",
    auth: true,
    pathParams: api.TeamPath,
    query: api.TeamHoursQuery,
    response: api.TeamHoursResponse,
  },
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    auth: false,
    query: NoQuery,
  },
  { method: 'GET', path: '/docs', summary: 'This API, readable', auth: false, query: NoQuery },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof ROUTES)[number];
export type RouteKey = `${Route['method']} ${Route['path']}`;

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
