import type { Prices } from './prices.js';

/**
 * The capacity modes `npm run plan` compares for one design: Kinesis on-demand against
 * provisioned shards, and DynamoDB on-demand against provisioned capacity with auto scaling
 * (the aggregates table's deploy options, infra/cdk/capacity-config.ts). Pure arithmetic;
 * docs/cost-and-capacity.md, "Capacity modes", states the assumptions.
 */

/** What auto scaling is assumed to do; none of it can be measured here (no AWS account). */
export const AUTOSCALING = {
  /** Target tracking keeps consumed capacity near this share of provisioned (the console's default). */
  targetUtilization: 0.7,
  /**
   * Provisioned capacity in an open hour over perfect tracking of that hour's mean load:
   * scaling in waits for 15 minutes of low use and DynamoDB allows about 27 decreases a day,
   * so on the day's falling side the table holds the capacity of a busier time.
   */
  trackingHeadroom: 1.2,
  /**
   * The recommended minimum, as a share of the peak hour's need: what the first minutes of a
   * store day (and a table after a quiet night) run on before auto scaling catches up.
   */
  minShareOfPeak: 0.1,
  /** The recommended maximum over the peak hour's need: a backlog drains at twice the peak rate. */
  maxOverPeak: 2,
} as const;

/** A load in capacity units per second: its average over the open hours, and its peak hour. */
export interface UnitRates {
  readonly meanOpen: number;
  readonly peak: number;
}

/** One auto-scaled dimension (writes or reads) of the aggregates table, for a month. */
export interface AutoscaledDimension {
  readonly meanOpenPerSecond: number;
  readonly peakPerSecond: number;
  /** Capacity the peak hour needs at the target utilization. */
  readonly peakNeed: number;
  /** The auto scaling bounds to deploy (`-c dynamodbMinWrite=...` and so on). */
  readonly min: number;
  readonly max: number;
  /** Provisioned capacity in an average open hour, and in the closed hours (the minimum). */
  readonly openHourCapacity: number;
  readonly closedHourCapacity: number;
  readonly capacityUnitHoursPerMonth: number;
}

/**
 * Auto scaling of one dimension: bounds from the peak hour's need at the target (min a
 * tenth, max twice), open hours at the mean load over the target with the tracking headroom,
 * closed hours at the minimum.
 */
export function autoscaledDimension(
  rates: UnitRates,
  openHoursPerDay: number,
  targetUtilization: number,
  daysPerMonth: number,
): AutoscaledDimension {
  const A = AUTOSCALING;
  const peakNeed = rates.peak / targetUtilization;
  const min = Math.max(1, Math.ceil(peakNeed * A.minShareOfPeak));
  const max = Math.max(min, Math.ceil(peakNeed * A.maxOverPeak));
  const openHourCapacity = Math.min(
    max,
    Math.max(min, (rates.meanOpen * A.trackingHeadroom) / targetUtilization),
  );
  const closedHourCapacity = min;
  return {
    meanOpenPerSecond: rates.meanOpen,
    peakPerSecond: rates.peak,
    peakNeed,
    min,
    max,
    openHourCapacity,
    closedHourCapacity,
    capacityUnitHoursPerMonth:
      (openHourCapacity * openHoursPerDay + closedHourCapacity * (24 - openHoursPerDay)) *
      daysPerMonth,
  };
}

/** What the DynamoDB comparison reads off a design's plan. */
export interface TableLoad {
  readonly openHoursPerDay: number;
  readonly peakFactor: number;
  readonly eventsPerSecondAverageOpen: number;
  readonly eventsPerSecondPeak: number;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  readonly writeUnitsPerMonth: number;
  readonly readUnitsPerMonth: number;
  /** The API's read units a month (leadership queries, in the open hours). */
  readonly apiReadUnitsPerMonth: number;
  readonly storageGbAfterYear: number;
}

export interface DynamoDbModes {
  readonly onDemand: { readonly costUsd: number };
  readonly provisioned: {
    readonly targetUtilization: number;
    readonly write: AutoscaledDimension;
    readonly read: AutoscaledDimension;
    readonly costUsd: number;
  };
}

/** DynamoDB a month, on-demand (per request unit) and provisioned with auto scaling (per unit-hour). */
export function dynamodbModes(
  load: TableLoad,
  targetUtilization: number,
  p: Prices,
  daysPerMonth: number,
): DynamoDbModes {
  const storage =
    load.storageGbAfterYear * (p.dynamodb.storageGbMonth + p.dynamodb.pointInTimeRecoveryGbMonth);
  const onDemand =
    (load.writeUnitsPerMonth / 1e6) * p.dynamodb.writeRequestUnitsMillion +
    (load.readUnitsPerMonth / 1e6) * p.dynamodb.readRequestUnitsMillion +
    storage;
  const apiMeanOpen = load.apiReadUnitsPerMonth / (load.openHoursPerDay * 3600 * daysPerMonth);
  const write = autoscaledDimension(
    {
      meanOpen: load.eventsPerSecondAverageOpen * load.writeUnitsPerEvent,
      peak: load.eventsPerSecondPeak * load.writeUnitsPerEvent,
    },
    load.openHoursPerDay,
    targetUtilization,
    daysPerMonth,
  );
  const read = autoscaledDimension(
    {
      meanOpen: load.eventsPerSecondAverageOpen * load.readUnitsPerEvent + apiMeanOpen,
      peak: load.eventsPerSecondPeak * load.readUnitsPerEvent + apiMeanOpen * load.peakFactor,
    },
    load.openHoursPerDay,
    targetUtilization,
    daysPerMonth,
  );
  const provisioned =
    write.capacityUnitHoursPerMonth * p.dynamodb.writeCapacityUnitHour +
    read.capacityUnitHoursPerMonth * p.dynamodb.readCapacityUnitHour +
    storage;
  return {
    onDemand: { costUsd: onDemand },
    provisioned: { targetUtilization, write, read, costUsd: provisioned },
  };
}

/** What the Kinesis comparison reads off a design's stream. */
export interface StreamLoad {
  /** Shards the peak needs at the planned utilisation. */
  readonly neededShards: number;
  readonly ingestGbPerMonth: number;
  readonly recordBytes: number;
  readonly recordsPerMonth: number;
  readonly dataGbPerMonth: number;
}

export interface KinesisModes {
  readonly onDemand: { readonly shards: number; readonly costUsd: number };
  readonly provisioned: {
    readonly shards: number;
    readonly neededShards: number;
    readonly costUsd: number;
  };
}

/**
 * Kinesis a month, on-demand (stream-hours, ingest, two standard consumers' reads, 7 days'
 * retention) and provisioned (`shards`, or what the peak needs; shard-hours with extended
 * retention, PUT payload units).
 */
export function kinesisModes(
  s: StreamLoad,
  shards: number | undefined,
  p: Prices,
  hoursPerMonth: number,
  onDemandMinShards: number,
): KinesisModes {
  const onDemand =
    p.kinesis.onDemandStreamHour * hoursPerMonth +
    s.ingestGbPerMonth * p.kinesis.onDemandIngestGb +
    2 * s.dataGbPerMonth * p.kinesis.onDemandRetrievalGb +
    s.dataGbPerMonth * (6 / 7) * p.kinesis.onDemandExtendedRetentionGbMonth;
  const provisionedShards = shards ?? Math.max(1, s.neededShards);
  const provisioned =
    provisionedShards *
      hoursPerMonth *
      (p.kinesis.shardHour + p.kinesis.extendedRetentionShardHour) +
    ((s.recordsPerMonth * Math.ceil(s.recordBytes / 25_600)) / 1e6) *
      p.kinesis.putPayloadUnitsMillion;
  return {
    onDemand: { shards: Math.max(onDemandMinShards, s.neededShards, 1), costUsd: onDemand },
    provisioned: {
      shards: provisionedShards,
      neededShards: s.neededShards,
      costUsd: provisioned,
    },
  };
}
