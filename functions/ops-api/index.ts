/**
 * The ops API's face (`#ops-api`) for the local stack: its Lambda handler, loaded on demand
 * (it reads its configuration when it loads). Its routes are in the HTTP API's one route list
 * (`#impact-api`'s `ROUTES`, `function: 'ops-api'`); its schemas in `#api-schemas`.
 */
export const loadOpsApiHandler = async () => (await import('./handler.js')).handler;
