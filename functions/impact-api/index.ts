/**
 * The impact API's face (`#impact-api`) for the CDK app, the local stack and the MCP server:
 * the HTTP API's routes (its own and the ops API's), throttles, the token claims both trust and
 * the docs page's style. The Lambda entry
 * is `handler.ts`; the schemas a browser may load are `#api-schemas` (`schemas.ts`).
 */

export {
  AUTOMATION_ROLE,
  Claims,
  isOperator,
  isReader,
  OPERATOR_ROLE,
  type Principal,
  principalFrom,
  ROLES,
} from '#shared/principal';
export { DOCS_STYLE } from './openapi.js';
export {
  API_FUNCTIONS,
  type ApiFunction,
  matchRoute,
  ROUTES,
  type RouteDefinition,
  routeKeyOf,
  routesOf,
} from './routes.js';
export { API_THROTTLE, ApiThrottle, type ApiThrottleLimits } from './throttling.js';

/** The Lambda handler, imported on demand: it reads its configuration when it loads. */
export const loadImpactApiHandler = async () => (await import('./handler.js')).handler;
