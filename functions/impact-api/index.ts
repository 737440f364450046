/**
 * The impact API's face (`#impact-api`) for the CDK app, the local stack and the MCP server:
 * its routes, throttles, the token claims it trusts and the docs page's style. The Lambda entry
 * is `handler.ts`; the schemas a browser may load are `#api-schemas` (`schemas.ts`).
 */
export { DOCS_STYLE } from './openapi.js';
export {
  AUTOMATION_ROLE,
  Claims,
  isPerson,
  type Principal,
  principalFrom,
  ROLES,
} from './principal.js';
export { matchRoute, ROUTES, type RouteDefinition, routeKeyOf } from './routes.js';
export { API_THROTTLE, ApiThrottle, type ApiThrottleLimits } from './throttling.js';

/** The Lambda handler, imported on demand: it reads its configuration when it loads. */
export const loadImpactApiHandler = async () => (await import('./handler.js')).handler;
