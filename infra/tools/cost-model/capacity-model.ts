import {
  type DynamoDbModes,
  dynamodbModes,
  type KinesisModes,
  kinesisModes,
} from './capacity-modes.js';
import type { Prices } from './prices.js';

/**
 * The cost and capacity model behind `npm run plan`. Pure arithmetic over three inputs: the
 * workload (flags), the per-event figures the benchmarks measured (measured-figures.json),
 * and list prices (prices.ts). docs/cost-and-capacity.md explains each step.
 */

export interface Workload {
  readonly stores: number;
  readonly lanes: number;
  /** Telemetry events (detections and outcomes) per lane per open hour, on average. */
  readonly eventsPerLaneHour: number;
  readonly openHoursPerDay: number;
  /** Busiest hour over the average open hour. */
  readonly peakFactor: number;
  /** Panel PCs (edge clients) per store; each aggregates only its own events. */
  readonly devicesPerStore: number;
  readonly lingerMs: number;
  /** The edge client's partition key: by store, a store's events all go to one shard. */
  readonly partitionBy: 'store' | 'device';
  readonly teams: number;
  readonly incidentsPerTeamDay: number;
  readonly kinesisMode: 'on-demand' | 'provisioned';
  /** Provisioned shards; absent: what the peak needs. */
  readonly kinesisShards?: number;
  /** The aggregates table: on-demand, or provisioned with auto scaling at the target. */
  readonly dynamodbMode: 'on-demand' | 'provisioned';
  /** Auto scaling's target utilization (0.2 to 0.9). */
  readonly dynamodbTargetUtilization: number;
  readonly batchSize: number;
  readonly batchWindowMs: number;
  readonly parallelizationFactor: number;
  readonly processorMemoryMb: number;
  readonly apiRequestsPerDay: number;
  /** The share of those that are leaderboard pages (`/v1/stores`); the rest are overviews. */
  readonly apiLeaderboardShare: number;
  readonly archiveDaysInStandard: number;
  readonly archiveRetentionDays: number;
}

/** A processor measurement at one batch density (events per store a batch touches). */
export interface DensityPoint {
  readonly eventsPerStorePerBatch: number;
  /** Absent where the benchmark did not count them. */
  readonly writesPerEvent?: number;
  readonly writeUnitsPerEvent?: number;
  readonly readUnitsPerEvent?: number;
  readonly cpuMsPerEvent: number;
}

/** The settings a `bench:fleet` run measured at: its fleet's shape, its edge and its event source. */
export interface FleetSettings {
  readonly lanes: number;
  readonly eventsPerLaneHour: number;
  readonly devicesPerStore: number;
  readonly lingerMs: number;
  readonly partitionBy: 'store' | 'device';
  readonly batchSize: number;
  readonly batchWindowMs: number;
}

/** The workload fields a `bench:fleet` run's per-event figures hold for. */
export const FLEET_SETTING_KEYS = [
  'lanes',
  'eventsPerLaneHour',
  'devicesPerStore',
  'lingerMs',
  'partitionBy',
  'batchSize',
  'batchWindowMs',
] as const satisfies readonly (keyof FleetSettings & keyof Workload)[];

/**
 * One profile of `npm run bench:fleet`'s last JSON line: per-event figures measured at the
 * fleet's shape, which the plan uses instead of its extrapolation at the same settings.
 */
export interface FleetFigures {
  /** The run that produced them, and when. */
  readonly command: string;
  readonly measuredAt: string;
  readonly profile: string;
  readonly settings: FleetSettings;
  readonly eventsPerRecord: number;
  readonly kinesisKbPerEvent: number;
  readonly firehoseBytesPerEvent: number;
  readonly dynamodbWritesPerEvent: number;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  readonly processorCpuMsPer1000Events: number;
  readonly eventsPerStorePerBatch: number;
  readonly freshnessP50Seconds: number;
  readonly freshnessP99Seconds: number;
}

export interface MeasuredFigures {
  readonly edge: {
    /** Most events one aggregated record carried (a 1 MiB window, gzipped). */
    readonly maxEventsPerRecord: number;
    /** Compressed bytes per event inside an aggregated record. */
    readonly aggregatedBytesPerEvent: number;
    /** A plain JSON event, as the naive design sends it. */
    readonly plainEventBytes: number;
  };
  readonly processor: {
    readonly ours: readonly DensityPoint[];
    /** The naive design: an idempotency write and a conditional write per event. */
    readonly naive: Required<Omit<DensityPoint, 'eventsPerStorePerBatch'>>;
    /** Peak RSS of the processor bundle on a full batch, and the DynamoDB round trips it waits on. */
    readonly peakRssMb: number;
    readonly sequentialRoundTripsPerBatch: number;
    /** The naive processor's round trips per event: idempotency put, home read, home put. */
    readonly naiveRoundTripsPerEvent: number;
  };
  readonly storage: {
    /** Bytes an event leaves in the aggregates table (DynamoDB's item sizes, all kinds). */
    readonly aggregateBytesPerEvent: number;
    /**
     * Of which in home items (store slots, team week parts), which expire (home-expiry.ts);
     * absent, homes are kept like the rest.
     */
    readonly homeBytesPerEvent?: number;
    /** Days a home item is stored: its period and the retention after it. */
    readonly homeKeptDays: number;
    /** Bytes of one archived event (a JSON line), before Firehose's gzip. */
    readonly archiveLineBytes: number;
    /** Firehose gzip ratio of archive lines. */
    readonly archiveCompression: number;
  };
  /** `bench:fleet`'s figures for one configuration, when measured. */
  readonly fleet?: FleetFigures;
}

/** Assumptions the benchmarks cannot measure here (no AWS account); stated in the docs. */
export const ASSUMPTIONS = {
  /** DynamoDB single-item request latency seen from Lambda in-region. */
  dynamoDbRoundTripMs: 8,
  /** Lambda arm64: one full vCPU at 1,769 MB; the processor is single-threaded. */
  fullVcpuMemoryMb: 1769,
  /** CPU of this machine's x86 core per Graviton vCPU: taken as equal. */
  cpuScale: 1,
  /** Shard utilisation to plan for, so a busy minute does not throttle. */
  shardUtilisation: 0.8,
  /** On-demand streams start at 4 shards of write capacity. */
  onDemandMinShards: 4,
  /** Days in a billing month. */
  daysPerMonth: 30.4,
  hoursPerMonth: 730,
  /** Processor log volume per invocation (one line of batch stats). */
  logBytesPerInvocation: 1_200,
  /** Firehose rounds each record up to 5 KB. */
  firehoseRecordKb: 5,
  /** Archive objects: Firehose buffers 64 MB or 300 s per object (raw-archive.ts). */
  firehoseBufferSeconds: 300,
};

export interface DesignPlan {
  readonly design: 'ours' | 'naive';
  readonly events: { perSecondPeak: number; perSecondAverageOpen: number; perMonth: number };
  readonly kinesis: {
    eventsPerRecord: number;
    recordsPerSecondPeak: number;
    bytesPerSecondPeak: number;
    billedKbPerEvent: number;
    shards: number;
    /** Shards the peak needs at the planned utilisation. */
    neededShards: number;
    ingestGbPerMonth: number;
  };
  readonly lambda: {
    invocationsPerMonth: number;
    eventsPerBatch: number;
    eventsPerStorePerBatch: number;
    msPerInvocation: number;
    gbSecondsPerMonth: number;
    concurrencyPeak: number;
    concurrencyAvailable: number;
    memoryMb: number;
  };
  readonly dynamodb: {
    writesPerEvent: number;
    writeUnitsPerEvent: number;
    readUnitsPerEvent: number;
    writeUnitsPerSecondPeak: number;
    writeUnitsPerMonth: number;
    readUnitsPerMonth: number;
    storageGbAfterYear: number;
  };
  readonly archive: { gbPerMonthCompressed: number; firehoseBilledGbPerMonth: number };
  readonly monthlyCostUsd: Readonly<Record<CostLine, number>> & { total: number };
  /** Both capacity modes of the stream and the aggregates table, for the same load. */
  readonly capacityModes: { readonly kinesis: KinesisModes; readonly dynamodb: DynamoDbModes };
  /** Where each group of per-event figures came from. */
  readonly sources: Readonly<Record<FigureGroup, string>>;
  /** Event accepted at the edge to visible in the API, where `bench:fleet` measured it. */
  readonly freshness?: { readonly p50Seconds: number; readonly p99Seconds: number };
}

/** The per-event figures whose source the plan names. */
export type FigureGroup = 'records' | 'archive' | 'batches' | 'processor' | 'freshness';

/**
 * `bench:fleet`'s figures if they were measured at this workload's settings, else the
 * settings that differ (none measured: an empty list and no figures).
 */
export function fleetFiguresFor(
  w: Workload,
  m: MeasuredFigures,
): { figures?: FleetFigures; differs: readonly (typeof FLEET_SETTING_KEYS)[number][] } {
  if (m.fleet === undefined) return { differs: [] };
  const fleet = m.fleet;
  const differs = FLEET_SETTING_KEYS.filter((k) => fleet.settings[k] !== w[k]);
  return differs.length === 0 ? { figures: fleet, differs } : { differs };
}

export type CostLine = 'kinesis' | 'lambda' | 'dynamodb' | 'archive' | 'api' | 'logs';

/** Least-squares fit of y = a + b / d over the measured densities. */
export function fitInverse(points: readonly { d: number; y: number }[]): (d: number) => number {
  if (points.length === 0) throw new Error('no measured points to fit');
  if (points.length === 1) {
    const only = points[0] as { y: number };
    return () => only.y;
  }
  const xs = points.map((p) => 1 / p.d);
  const n = points.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  points.forEach((p, i) => {
    const dx = (xs[i] as number) - mx;
    sxy += dx * (p.y - my);
    sxx += dx * dx;
  });
  const b = sxx === 0 ? 0 : sxy / sxx;
  const a = my - b * mx;
  return (d) => Math.max(0, a + b / Math.max(d, 1));
}

/** Expected events per store a batch touches, when a store sends `x` events per batch on average. */
export function touchedDensity(x: number): number {
  if (x <= 0) return 1;
  return x / (1 - Math.exp(-x));
}

/**
 * One design's plan for a workload, step by step: the event load, the stream that carries it,
 * the function that folds it, the tables it writes, the archive that keeps it, and what each
 * costs a month. Each step is pure and returns its part of the plan, plus the figures a later
 * step reads (the record size and count, the processor's per-event figures).
 */
export function planDesign(
  design: 'ours' | 'naive',
  w: Workload,
  m: MeasuredFigures,
  prices: Prices,
): DesignPlan {
  const A = ASSUMPTIONS;
  const fleet = design === 'ours' ? fleetFiguresFor(w, m).figures : undefined;
  const load = planEvents(w);
  const stream = planStream(design, w, m, load, fleet);
  const fn = planFunction(design, w, m, load, stream.kinesis, fleet);
  const dynamodb = planTables(design, w, m, load.events, fn.perEvent);
  const archive = planArchive(m, load.events, stream.records, fleet);
  const capacityModes = {
    kinesis: kinesisModes(
      {
        neededShards: stream.kinesis.neededShards,
        ingestGbPerMonth: stream.kinesis.ingestGbPerMonth,
        recordBytes: stream.records.bytes,
        recordsPerMonth: stream.records.perMonth,
        dataGbPerMonth: stream.records.dataGbPerMonth,
      },
      w.kinesisShards,
      prices,
      A.hoursPerMonth,
      A.onDemandMinShards,
    ),
    dynamodb: dynamodbModes(
      {
        openHoursPerDay: w.openHoursPerDay,
        peakFactor: w.peakFactor,
        eventsPerSecondAverageOpen: load.events.perSecondAverageOpen,
        eventsPerSecondPeak: load.events.perSecondPeak,
        writeUnitsPerEvent: dynamodb.writeUnitsPerEvent,
        readUnitsPerEvent: dynamodb.readUnitsPerEvent,
        writeUnitsPerMonth: dynamodb.writeUnitsPerMonth,
        readUnitsPerMonth: dynamodb.readUnitsPerMonth,
        apiReadUnitsPerMonth:
          dynamodb.readUnitsPerMonth - load.events.perMonth * dynamodb.readUnitsPerEvent,
        storageGbAfterYear: dynamodb.storageGbAfterYear,
      },
      w.dynamodbTargetUtilization,
      prices,
      A.daysPerMonth,
    ),
  };
  return {
    design,
    events: load.events,
    kinesis: stream.kinesis,
    lambda: fn.lambda,
    dynamodb,
    archive,
    monthlyCostUsd: monthlyCosts(w, prices, capacityModes, fn.lambda, archive),
    capacityModes,
    sources: sourcesOf(design, m, fn.lambda.eventsPerStorePerBatch, fleet),
    ...(fleet !== undefined && {
      freshness: { p50Seconds: fleet.freshnessP50Seconds, p99Seconds: fleet.freshnessP99Seconds },
    }),
  };
}

/** What each group of a design's per-event figures rests on, in words for the plan's output. */
function sourcesOf(
  design: 'ours' | 'naive',
  m: MeasuredFigures,
  density: number,
  fleet: FleetFigures | undefined,
): DesignPlan['sources'] {
  if (fleet !== undefined) {
    const run = `bench:fleet (${fleet.measuredAt}, profile ${fleet.profile})`;
    return { records: run, archive: run, batches: run, processor: run, freshness: run };
  }
  const densities = m.processor.ours.map((p) => p.eventsPerStorePerBatch);
  return {
    records:
      design === 'naive'
        ? 'naive: one event per record'
        : 'model: 1 + panel PC rate x linger, bench:edge bytes',
    archive: 'model: records rounded up to 5 KB',
    batches: 'model: store rate x batch interval',
    processor:
      design === 'naive'
        ? "bench:processor's naive baseline"
        : `bench:processor fit over ${Math.min(...densities)}-${Math.max(...densities)} events per store per batch, at ${density.toFixed(2)}`,
    freshness: 'not modelled (bench:fleet measures it)',
  };
}

/** The workload's events, and the two rates the later steps start from. */
interface EventLoad {
  readonly events: DesignPlan['events'];
  /** Events per second of one store in an average open hour. */
  readonly storeRateAvg: number;
  readonly openSecondsPerMonth: number;
}

/** The stream's part, and the records it carries (what Kinesis and Firehose bill by). */
interface StreamPlan {
  readonly kinesis: DesignPlan['kinesis'];
  readonly records: {
    readonly bytes: number;
    readonly perMonth: number;
    readonly dataGbPerMonth: number;
  };
}

/** The processor's DynamoDB and CPU figures per event, at one batch density. */
type PerEventFigures = MeasuredFigures['processor']['naive'];

/** The function's part, and the per-event figures the tables step reads. */
interface FunctionPlan {
  readonly lambda: DesignPlan['lambda'];
  readonly perEvent: PerEventFigures;
}

/** Events per second (average open hour and peak) and per month, incidents included. */
function planEvents(w: Workload): EventLoad {
  const A = ASSUMPTIONS;
  const storeRateAvg = (w.lanes * w.eventsPerLaneHour) / 3600;
  const perSecondAverageOpen = w.stores * storeRateAvg;
  const perSecondPeak = perSecondAverageOpen * w.peakFactor;
  const incidentsPerMonth = w.teams * w.incidentsPerTeamDay * A.daysPerMonth;
  const perMonth =
    perSecondAverageOpen * w.openHoursPerDay * 3600 * A.daysPerMonth + incidentsPerMonth;
  const openSecondsPerMonth = w.openHoursPerDay * 3600 * A.daysPerMonth;
  return {
    events: { perSecondPeak, perSecondAverageOpen, perMonth },
    storeRateAvg,
    openSecondsPerMonth,
  };
}

/** Kinesis: what each edge client can pack into a record within its linger, and the shards. */
function planStream(
  design: 'ours' | 'naive',
  w: Workload,
  m: MeasuredFigures,
  { events, storeRateAvg }: EventLoad,
  fleet: FleetFigures | undefined,
): StreamPlan {
  const A = ASSUMPTIONS;
  const deviceRatePeak = (storeRateAvg * w.peakFactor) / w.devicesPerStore;
  const eventsPerRecord =
    fleet?.eventsPerRecord ??
    (design === 'naive'
      ? 1
      : Math.min(m.edge.maxEventsPerRecord, 1 + (deviceRatePeak * w.lingerMs) / 1000));
  // Measured records bill what bench:fleet counted; the bytes (shard sizing, consumers' reads)
  // follow from the events they carry either way.
  const recordBytes =
    design === 'naive' || eventsPerRecord < 2
      ? m.edge.plainEventBytes * eventsPerRecord
      : eventsPerRecord * m.edge.aggregatedBytesPerEvent;
  const billedKbPerRecord =
    fleet === undefined
      ? Math.max(1, Math.ceil(recordBytes / 1024))
      : fleet.kinesisKbPerEvent * eventsPerRecord;
  const billedKbPerEvent = billedKbPerRecord / eventsPerRecord;
  const recordsPerSecondPeak = events.perSecondPeak / eventsPerRecord;
  const bytesPerSecondPeak = recordsPerSecondPeak * recordBytes;
  const neededShards = Math.ceil(
    Math.max(recordsPerSecondPeak / 1000, bytesPerSecondPeak / 1_048_576) / A.shardUtilisation,
  );
  const shards =
    w.kinesisMode === 'on-demand'
      ? Math.max(A.onDemandMinShards, neededShards, 1)
      : (w.kinesisShards ?? Math.max(neededShards, 1));
  const recordsPerMonth = events.perMonth / eventsPerRecord;
  const ingestGbPerMonth = (recordsPerMonth * billedKbPerRecord) / 1_048_576;
  const dataGbPerMonth = (recordsPerMonth * recordBytes) / 1_073_741_824;
  return {
    kinesis: {
      eventsPerRecord,
      recordsPerSecondPeak,
      bytesPerSecondPeak,
      billedKbPerEvent,
      shards,
      neededShards,
      ingestGbPerMonth,
    },
    records: { bytes: recordBytes, perMonth: recordsPerMonth, dataGbPerMonth },
  };
}

/** Lambda: one batch per shard (times the parallelization factor) per window or full batch. */
function planFunction(
  design: 'ours' | 'naive',
  w: Workload,
  m: MeasuredFigures,
  { storeRateAvg, openSecondsPerMonth }: EventLoad,
  { recordsPerSecondPeak, shards, eventsPerRecord }: DesignPlan['kinesis'],
  fleet: FleetFigures | undefined,
): FunctionPlan {
  const A = ASSUMPTIONS;
  const recordsPerShardPerSecond = recordsPerSecondPeak / shards;
  const invocationsPerShardPerSecond = Math.max(
    1000 / w.batchWindowMs,
    recordsPerShardPerSecond / w.batchSize,
  );
  const eventsPerBatch =
    (recordsPerShardPerSecond * eventsPerRecord) / invocationsPerShardPerSecond;
  // A store's events spread over the shards its partition keys map to.
  const shardsPerStore = w.partitionBy === 'store' ? 1 : Math.min(shards, w.devicesPerStore);
  const storeEventsPerBatch =
    (storeRateAvg * w.peakFactor) / shardsPerStore / invocationsPerShardPerSecond;
  const density = fleet?.eventsPerStorePerBatch ?? touchedDensity(storeEventsPerBatch);
  const perEvent =
    fleet === undefined
      ? perEventFigures(design, m, density)
      : {
          writesPerEvent: fleet.dynamodbWritesPerEvent,
          writeUnitsPerEvent: fleet.writeUnitsPerEvent,
          readUnitsPerEvent: fleet.readUnitsPerEvent,
          cpuMsPerEvent: fleet.processorCpuMsPer1000Events / 1000,
        };
  const vcpu = Math.min(1, w.processorMemoryMb / A.fullVcpuMemoryMb);
  const roundTrips =
    design === 'naive'
      ? m.processor.naiveRoundTripsPerEvent * eventsPerBatch
      : m.processor.sequentialRoundTripsPerBatch;
  const msPerInvocation =
    (eventsPerBatch * perEvent.cpuMsPerEvent * A.cpuScale) / vcpu +
    roundTrips * A.dynamoDbRoundTripMs;
  const invocationsPerMonth =
    (invocationsPerShardPerSecond * shards * openSecondsPerMonth) / w.peakFactor;
  const gbSecondsPerMonth =
    (invocationsPerMonth * msPerInvocation * w.processorMemoryMb) / 1000 / 1024;
  const concurrencyPeak = invocationsPerShardPerSecond * shards * (msPerInvocation / 1000);
  const concurrencyAvailable = shards * w.parallelizationFactor;
  return {
    lambda: {
      invocationsPerMonth,
      eventsPerBatch,
      eventsPerStorePerBatch: density,
      msPerInvocation,
      gbSecondsPerMonth,
      concurrencyPeak,
      concurrencyAvailable,
      memoryMb: w.processorMemoryMb,
    },
    perEvent,
  };
}

/**
 * The processor's figures per event: the naive design's as measured; ours fitted over the
 * measured densities (each figure over the points that counted it) and read at `density`.
 */
function perEventFigures(
  design: 'ours' | 'naive',
  m: MeasuredFigures,
  density: number,
): PerEventFigures {
  if (design === 'naive') return m.processor.naive;
  const at = (pick: (p: DensityPoint) => number | undefined) =>
    fitInverse(
      m.processor.ours.flatMap((p) => {
        const y = pick(p);
        return y === undefined ? [] : [{ d: p.eventsPerStorePerBatch, y }];
      }),
    )(density);
  return {
    writesPerEvent: at((p) => p.writesPerEvent),
    writeUnitsPerEvent: at((p) => p.writeUnitsPerEvent),
    readUnitsPerEvent: at((p) => p.readUnitsPerEvent),
    cpuMsPerEvent: at((p) => p.cpuMsPerEvent),
  };
}

/** DynamoDB (on-demand): billed units scale with item size, which the benchmark measured. */
function planTables(
  design: 'ours' | 'naive',
  w: Workload,
  m: MeasuredFigures,
  events: DesignPlan['events'],
  per: PerEventFigures,
): DesignPlan['dynamodb'] {
  const A = ASSUMPTIONS;
  const writeUnitsPerMonth = events.perMonth * per.writeUnitsPerEvent;
  const apiReadUnits = w.apiRequestsPerDay * A.daysPerMonth * apiReadUnitsPerRequest(w, design);
  const readUnitsPerMonth = events.perMonth * per.readUnitsPerEvent + apiReadUnits;
  // Both designs keep the same aggregates; the naive design's idempotency rows expire (the
  // Powertools default is one hour), so they are left out. This design's home items expire
  // (home-expiry.ts): a year on, only their last homeKeptDays are stored.
  const homeBytes = design === 'ours' ? (m.storage.homeBytesPerEvent ?? 0) : 0;
  const storageGbAfterYear =
    (events.perMonth *
      (12 * (m.storage.aggregateBytesPerEvent - homeBytes) +
        (m.storage.homeKeptDays / A.daysPerMonth) * homeBytes)) /
    1_073_741_824;
  return {
    writesPerEvent: per.writesPerEvent,
    writeUnitsPerEvent: per.writeUnitsPerEvent,
    readUnitsPerEvent: per.readUnitsPerEvent,
    writeUnitsPerSecondPeak: events.perSecondPeak * per.writeUnitsPerEvent,
    writeUnitsPerMonth,
    readUnitsPerMonth,
    storageGbAfterYear,
  };
}

/** Raw archive: Firehose reads the stream and writes gzipped JSON lines to S3. */
function planArchive(
  m: MeasuredFigures,
  events: DesignPlan['events'],
  records: StreamPlan['records'],
  fleet: FleetFigures | undefined,
): DesignPlan['archive'] {
  const A = ASSUMPTIONS;
  const gbPerMonthCompressed =
    (events.perMonth * m.storage.archiveLineBytes) / m.storage.archiveCompression / 1_073_741_824;
  const firehoseBilledGbPerMonth =
    fleet === undefined
      ? (records.perMonth *
          Math.max(
            A.firehoseRecordKb,
            Math.ceil(records.bytes / 1024 / A.firehoseRecordKb) * A.firehoseRecordKb,
          )) /
        1_048_576
      : (events.perMonth * fleet.firehoseBytesPerEvent) / 1_073_741_824;
  return { gbPerMonthCompressed, firehoseBilledGbPerMonth };
}

/** Each service's monthly list price for the planned figures, and their total. */
function monthlyCosts(
  w: Workload,
  p: Prices,
  modes: DesignPlan['capacityModes'],
  fn: DesignPlan['lambda'],
  archived: DesignPlan['archive'],
): DesignPlan['monthlyCostUsd'] {
  const A = ASSUMPTIONS;
  const kinesis =
    w.kinesisMode === 'on-demand'
      ? modes.kinesis.onDemand.costUsd
      : modes.kinesis.provisioned.costUsd;
  const lambda =
    fn.gbSecondsPerMonth * p.lambda.gbSecondArm +
    (fn.invocationsPerMonth / 1e6) * p.lambda.requestsMillion;
  const dynamodb =
    w.dynamodbMode === 'on-demand'
      ? modes.dynamodb.onDemand.costUsd
      : modes.dynamodb.provisioned.costUsd;
  const standardMonths = Math.min(w.archiveDaysInStandard, w.archiveRetentionDays) / A.daysPerMonth;
  const coldMonths = Math.max(0, w.archiveRetentionDays - w.archiveDaysInStandard) / A.daysPerMonth;
  const archive =
    archived.firehoseBilledGbPerMonth * p.firehose.ingestGb +
    archived.gbPerMonthCompressed * standardMonths * p.s3.standardGbMonth +
    archived.gbPerMonthCompressed * coldMonths * p.s3.glacierInstantRetrievalGbMonth +
    ((A.daysPerMonth * 86_400) / A.firehoseBufferSeconds / 1000) * p.s3.putRequestsThousand;
  const api = ((w.apiRequestsPerDay * A.daysPerMonth) / 1e6) * p.apiGateway.httpRequestsMillion;
  const logs =
    ((fn.invocationsPerMonth * A.logBytesPerInvocation) / 1_073_741_824) *
    p.cloudwatch.logsIngestGb;
  const cost = { kinesis, lambda, dynamodb, archive, api, logs };
  const total = Object.values(cost).reduce((s, v) => s + v, 0);
  return { ...cost, total };
}

/**
 * Read units of one leadership query over 90 days, by eventually consistent Query (half a unit
 * per 4 KB returned). A leaderboard page reads the period's 90 x 8 organisation day rollup
 * items, each ~56 bytes per store of its shard. An overview (`/v1/impact`) reads the period and
 * the one before it: this design reads the rollups' totals copies (90 x 2 x 8 items of
 * TOTALS_COPY_KB), the naive design the rollup items themselves.
 */
export function apiReadUnitsPerRequest(w: Workload, design: 'ours' | 'naive'): number {
  const rollupKb = (1024 + (w.stores / 8) * 56) / 1024;
  const leaderboard = (90 * 8 * rollupKb) / 4 / 2;
  const overview = (90 * 2 * 8 * (design === 'ours' ? TOTALS_COPY_KB : rollupKb)) / 4 / 2;
  return w.apiLeaderboardShare * leaderboard + (1 - w.apiLeaderboardShare) * overview;
}

/**
 * A day rollup's totals copy (its counters, keys and rev): `npm run bench:api` read 1,440 of them
 * for 66 read units (2026-12-02), 0.37 KB each.
 */
export const TOTALS_COPY_KB = 0.37;

export interface Plan {
  readonly workload: Workload;
  readonly ours: DesignPlan;
  readonly naive: DesignPlan;
}

export function plan(w: Workload, m: MeasuredFigures, prices: Prices): Plan {
  if (w.stores <= 0 || w.lanes <= 0 || w.eventsPerLaneHour <= 0) {
    throw new RangeError('stores, lanes and events per lane-hour must be positive');
  }
  return {
    workload: w,
    ours: planDesign('ours', w, m, prices),
    naive: planDesign('naive', w, m, prices),
  };
}
