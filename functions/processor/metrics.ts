/**
 * The processor's Powertools service name: the `service` key of its log lines, and the one
 * dimension Powertools gives each of its metrics, by which the alarms select them.
 */
export const PROCESSOR_SERVICE = 'processor';

/** The dimensions of every processor metric (Powertools' default dimension, `service`). */
export const PROCESSOR_METRIC_DIMENSIONS = { service: PROCESSOR_SERVICE } as const;

/**
 * The metrics the processor emits once per batch, in the embedded metric format: namespace
 * METRIC_NAMESPACE, dimensions PROCESSOR_METRIC_DIMENSIONS, unit Count.
 */
export const PROCESSOR_METRICS = {
  eventsCounted: 'EventsCounted',
  duplicatesDropped: 'DuplicatesDropped',
  /** User records dead-lettered (BatchStats.deadLettered); the dead-letter alarm's metric. */
  recordsDeadLettered: 'RecordsDeadLettered',
  recordsFailed: 'RecordsFailed',
  recordsDeferred: 'RecordsDeferred',
  aggregateWrites: 'AggregateWrites',
  writeConflicts: 'WriteConflicts',
  /** Unsigned records counted under UNSIGNED_RECORDS=accept; the migration alarm's metric. */
  unsignedRecords: 'UnsignedRecords',
  /**
   * Device statuses of the batch whose sender held events unsent for over 5 minutes (Count);
   * the fleet-backlog alarm's metric. Emitted only for a batch with statuses.
   */
  devicesBacklogged: 'DevicesBacklogged',
  /**
   * The furthest a device status of the batch runs ahead of its arrival (Seconds); the
   * clock-skew alarm's metric. Emitted only for a batch with statuses.
   */
  deviceClockSkew: 'DeviceClockSkew',
} as const;
