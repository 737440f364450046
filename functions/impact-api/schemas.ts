/**
 * The HTTP API's public schemas (`#api-schemas`), of the impact and the ops routes: what a
 * request may ask and what each route answers. The MCP server and the dashboard reach the API's contract through this module only,
 * never through its handler files.
 */

export {
  DeadLetter,
  DeadLetterIdQuery,
  DeadLetterListQuery,
  DeadLetterListResponse,
  DeadLetterResponse,
  DeadLetterSummary,
  LIST_DETAIL_CHARS,
  LIST_EVENT_IDS,
  MAX_DEAD_LETTER_DAYS,
  MAX_DEAD_LETTER_LIMIT,
  MAX_REPLAY_LETTERS,
  ReplayRequest,
  ReplayResponse,
} from './dead-letter-schemas.js';
export { PipelineStatusResponse } from './pipeline-status-schemas.js';
export {
  FleetHealthQuery,
  HourOfDayQuery,
  ImpactQuery,
  LeaderboardQuery,
  MAX_SLOT_READ_DAYS,
  ModelQualityQuery,
  NoQuery,
  PeriodQuery,
  StoreLanesQuery,
  StorePath,
  StoreShrinkQuery,
  TeamHoursQuery,
  TeamPath,
} from './query-params.js';
export {
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
} from './response-schemas.js';
