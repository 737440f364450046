/**
 * The impact API's routes: the one list from which the CDK stack creates HTTP API routes and
 * the embedded server matches requests. `{name}` segments become path parameters.
 */
export const ROUTES = [
  { method: 'GET', path: '/v1/impact' },
  { method: 'GET', path: '/v1/stores/{storeId}/shrink' },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteKey = `${Route['method']} ${Route['path']}`;

export const routeKeyOf = (route: Route): RouteKey => `${route.method} ${route.path}`;

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
      params[w.slice(1, -1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
