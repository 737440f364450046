/**
 * The fleet watch's face (`#fleet-watch`): its metric names for the alarm, the run itself for
 * `npm run fleet-watch`, and the partition its grant is limited to. The Lambda entry is
 * `handler.ts` (the CDK app bundles it by path).
 */

export { COVERAGE_PARTITION } from '#adapters';
export { loadFleetWatchConfig } from './config.js';
export {
  FLEET_WATCH_EVERY_MINUTES,
  FLEET_WATCH_METRIC_DIMENSIONS,
  FLEET_WATCH_METRICS,
  FLEET_WATCH_SERVICE,
} from './metrics.js';
export { type FleetWatchRun, watchFleet } from './watch-fleet.js';

/** The Lambda handler, imported on demand: it reads its configuration when it loads. */
export const loadFleetWatchHandler = async () => (await import('./handler.js')).handler;
