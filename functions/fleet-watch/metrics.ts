/**
 * The fleet watch's Powertools service name: the `service` key of its log lines, and the one
 * dimension Powertools gives each of its metrics, by which the alarm selects them.
 */
export const FLEET_WATCH_SERVICE = 'fleet-watch';

/** The dimensions of every fleet watch metric (Powertools' default dimension, `service`). */
export const FLEET_WATCH_METRIC_DIMENSIONS = { service: FLEET_WATCH_SERVICE } as const;

/**
 * The metrics the watch emits once per run, in the embedded metric format: namespace
 * METRIC_NAMESPACE, dimensions FLEET_WATCH_METRIC_DIMENSIONS, unit Count. Fleet-wide only: a
 * region dimension would be a custom metric per region, billed every month whether or not a
 * store is silent, that nothing alarms on; the per-region counts are in the run's log line.
 */
export const FLEET_WATCH_METRICS = {
  /** Stores silent during their open hours (FleetWatchReport.silentDuringOpenHours); the alarm's. */
  silentStores: 'SilentStores',
  /** Stores registered, never heard from, open now (reported, not alarmed). */
  storesNeverHeard: 'StoresNeverHeard',
} as const;

/** How often the schedule runs the watch, and the period its alarm reads (minutes). */
export const FLEET_WATCH_EVERY_MINUTES = 5;
