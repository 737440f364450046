import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamodb } from '#adapters';
import { createLogger, createMetrics } from '#shared/observability';
import { loadFleetWatchConfig } from './config.js';
import { FLEET_WATCH_METRICS, FLEET_WATCH_SERVICE } from './metrics.js';
import { type FleetWatchRun, watchFleet } from './watch-fleet.js';

const config = loadFleetWatchConfig();
const logger = createLogger(FLEET_WATCH_SERVICE);
const metrics = createMetrics(FLEET_WATCH_SERVICE);

/**
 * One scheduled run: the report's two counts as metrics, and one log line with the counts per
 * region and the stores silent longest (identifiers and times only), a warning when a store is
 * silent during its open hours. The schedule's event carries nothing the watch needs: it judges
 * as of its own clock, so a late run is still right. A failed read throws: the run emits no
 * metric, which the alarm counts as breaching.
 */
async function runWatch(): Promise<FleetWatchRun> {
  const run = await watchFleet(dynamodb, { ...config, now: Date.now() });
  const { report } = run;
  metrics.addMetric(
    FLEET_WATCH_METRICS.silentStores,
    MetricUnit.Count,
    report.silentDuringOpenHours,
  );
  metrics.addMetric(
    FLEET_WATCH_METRICS.storesNeverHeard,
    MetricUnit.Count,
    report.neverHeardWhileOpen,
  );
  const fields = {
    ...report,
    summariesRead: run.summariesRead,
    truncated: run.truncated,
    unreadable: run.unreadable,
  };
  if (report.silentDuringOpenHours > 0) logger.warn('stores silent during open hours', fields);
  else logger.info('fleet watched', fields);
  if (run.unreadable > 0) {
    logger.warn('fleet watch could not read some coverage summaries', {
      unreadable: run.unreadable,
    });
  }
  if (run.truncated) {
    logger.warn('fleet watch read only part of the stores', {
      summariesRead: run.summariesRead,
      maxStores: config.maxStores,
    });
  }
  return run;
}

/** The EventBridge schedule's target. */
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(runWatch);
