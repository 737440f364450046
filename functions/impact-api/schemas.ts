/**
 * The impact API's public schemas (`#api-schemas`): what a request may ask and what each route
 * answers. The MCP server and the dashboard reach the API's contract through this module only,
 * never through its handler files.
 */
export {
  ImpactQuery,
  LeaderboardQuery,
  PeriodQuery,
  StorePath,
  StoreShrinkQuery,
  TeamHoursQuery,
  TeamPath,
} from './query-params.js';
export {
  ImpactResponse,
  LeaderboardResponse,
  StoreShrinkResponse,
  TeamHoursResponse,
  TeamsResponse,
} from './response-schemas.js';
