import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as z from 'zod';
import { toArchiveLine } from '#archive';
import { PROCESSOR_MEMORY_MB } from '#cdk';
import { DEFAULT_EVENT_TIME_RULES } from '#domain/event-time';
import { homeRetentionMs } from '#domain/home-expiry';
import { DEFAULT_BASELINES } from '#domain/hours-saved';
import { FLEET_BATCHING, PROCESSOR_EVENT_SOURCE, STREAM_RETENTION_HOURS } from '#processor';
import { defineFleet, FleetSimulator } from '#simulator';
import { parseCommandLine } from '#utils';
import {
  type DesignPlan,
  type FigureGroup,
  type FleetSettings,
  fleetFiguresFor,
  type MeasuredFigures,
  plan,
  type Workload,
} from './cost-model/capacity-model.js';
import { AUTOSCALING } from './cost-model/capacity-modes.js';
import {
  FleetFiguresError,
  FleetFiguresSchema,
  takeFleetFigures,
} from './cost-model/fleet-figures.js';
import { PRICES, type Prices } from './cost-model/prices.js';

/**
 * Days a home item is stored: its period (bounded by two days) and the retention after it at
 * the processor's defaults (the late-event horizon, the stream's retention, a week's margin).
 */
const HOME_KEPT_DAYS =
  2 +
  homeRetentionMs(DEFAULT_EVENT_TIME_RULES.horizonMs, STREAM_RETENTION_HOURS * 3_600_000) /
    86_400_000;

const USAGE = `npm run plan -- [options]

Prints the shards, Lambda invocations and GB-seconds, DynamoDB units, archive bytes and a
monthly cost estimate for a fleet, for this design and for the naive one (one event per record,
one idempotency write and one item write per event), and each capacity mode against on-demand,
from the per-event figures the benchmarks measured (infra/tools/cost-model/measured-figures.json)
and list prices (infra/tools/cost-model/prices.ts). Where measured-figures.json holds a "fleet"
entry (npm run bench:fleet) and the settings are the ones it was measured at, this design's
per-event figures are that run's; otherwise they are extrapolated from bench:processor. The
settings marked * default to the fleet entry's, else to the value shown.

  --stores N                     stores (default 10500)
  --lanes N                    * checkout lanes per store (default 40)
  --events-per-lane-hour N     * detections and outcomes per lane per open hour (default 30)
  --open-hours N                 open hours per day (default 16)
  --peak-factor N                busiest hour over the average open hour (default 2)
  --devices-per-store N        * panel PCs (edge clients) per store (default: one per lane)
  --linger-ms N                * edge client linger (default 100, the daemon's default; a store gateway's is 45000)
  --partition-by store|device  * edge client partition key (default store, the client's default)
  --teams N                      on-call teams (default 20)
  --incidents-per-team-day N     closed incidents per team per day (default 30)
  --kinesis on-demand|provisioned  stream capacity mode in the totals (default on-demand)
  --kinesis-shards N             provisioned shards (default: what the peak needs)
  --dynamodb on-demand|provisioned  aggregates table capacity mode in the totals (default on-demand)
  --target-utilization N         auto scaling target, percent (default ${AUTOSCALING.targetUtilization * 100})
  --batch-size N               * event source batch size (default ${PROCESSOR_EVENT_SOURCE.batchSize})
  --batch-window-ms N          * event source batching window (default ${PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs})
  --parallelization-factor N     concurrent batches per shard (default ${PROCESSOR_EVENT_SOURCE.parallelizationFactor})
  --memory-mb N                  processor memory (default ${PROCESSOR_MEMORY_MB}, the stack's)
  --api-requests-per-day N       dashboard and assistant queries (default 20000)
  --api-leaderboard-share N      of those, the share that are leaderboard pages (default 0.5)
  --figures FILE                 measured figures (default infra/tools/cost-model/measured-figures.json)
  --prices FILE                  prices JSON, same shape as infra/tools/cost-model/prices.ts
  --extrapolate                  ignore the fleet entry's figures (its settings still default)
  --json                         print only the JSON

  --take-fleet-figures FILE      instead: copy one profile of bench:fleet's last JSON line in
                                 FILE into the figures file's "fleet" entry, with the settings
                                 above (* flags; give the profile's, tests/bench/fleet-profiles.ts)
  --profile NAME                 the profile to take (required with --take-fleet-figures)
  --measured-at YYYY-MM-DD       the run's date (default today)
  --command TEXT                 the run's command (default rebuilt from the line)`;

const positive = z.coerce.number().positive();
// The settings a fleet entry was measured at have no default here: resolveSettings gives it.
const Flags = z.object({
  stores: positive.default(10_500),
  lanes: positive.optional(),
  'events-per-lane-hour': positive.optional(),
  'open-hours': z.coerce.number().positive().max(24).default(16),
  'peak-factor': z.coerce.number().min(1).default(2),
  'devices-per-store': positive.optional(),
  'linger-ms': z.coerce.number().min(0).max(300_000).optional(),
  'partition-by': z.enum(['store', 'device']).optional(),
  teams: z.coerce.number().min(0).default(20),
  'incidents-per-team-day': z.coerce.number().min(0).default(30),
  kinesis: z.enum(['on-demand', 'provisioned']).default('on-demand'),
  'kinesis-shards': z.coerce.number().int().min(1).max(10_000).optional(),
  dynamodb: z.enum(['on-demand', 'provisioned']).default('on-demand'),
  'target-utilization': z.coerce
    .number()
    .min(20)
    .max(90)
    .default(AUTOSCALING.targetUtilization * 100),
  'batch-size': z.coerce.number().int().min(1).max(10_000).optional(),
  'batch-window-ms': z.coerce.number().int().min(0).max(300_000).optional(),
  'parallelization-factor': z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(PROCESSOR_EVENT_SOURCE.parallelizationFactor),
  'memory-mb': z.coerce.number().int().min(128).max(10_240).default(PROCESSOR_MEMORY_MB),
  'api-requests-per-day': z.coerce.number().min(0).default(20_000),
  'api-leaderboard-share': z.coerce.number().min(0).max(1).default(0.5),
  figures: z.string().default('infra/tools/cost-model/measured-figures.json'),
  prices: z.string().optional(),
  extrapolate: z.boolean().default(false),
  json: z.boolean().default(false),
  'take-fleet-figures': z.string().optional(),
  profile: z.string().min(1).optional(),
  'measured-at': z.iso.date().optional(),
  command: z.string().min(1).optional(),
});
type ParsedFlags = z.infer<typeof Flags>;
const SWITCHES = new Set(['json', 'help', 'extrapolate']);

/** The stack's and the edge client's own settings: the defaults where no fleet entry gives any. */
const BUILT_IN_SETTINGS = {
  lanes: 40,
  eventsPerLaneHour: 30,
  lingerMs: 100,
  partitionBy: 'store',
  batchSize: PROCESSOR_EVENT_SOURCE.batchSize,
  batchWindowMs: PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs,
} as const;

/**
 * Each setting as given, else the fleet entry's, else the built-in default. Panel PCs follow
 * the lanes where the entry had one per lane (or there is none).
 */
function resolveSettings(f: ParsedFlags, measured: FleetSettings | undefined): FleetSettings {
  const d = measured ?? { ...BUILT_IN_SETTINGS, devicesPerStore: BUILT_IN_SETTINGS.lanes };
  const lanes = f.lanes ?? d.lanes;
  return {
    lanes,
    eventsPerLaneHour: f['events-per-lane-hour'] ?? d.eventsPerLaneHour,
    devicesPerStore:
      f['devices-per-store'] ?? (d.devicesPerStore === d.lanes ? lanes : d.devicesPerStore),
    lingerMs: f['linger-ms'] ?? d.lingerMs,
    partitionBy: f['partition-by'] ?? d.partitionBy,
    batchSize: f['batch-size'] ?? d.batchSize,
    batchWindowMs: f['batch-window-ms'] ?? d.batchWindowMs,
  };
}

const DensityPointSchema = z.object({
  eventsPerStorePerBatch: z.number().positive(),
  writesPerEvent: z.number().nonnegative().optional(),
  writeUnitsPerEvent: z.number().nonnegative().optional(),
  readUnitsPerEvent: z.number().nonnegative().optional(),
  cpuMsPerEvent: z.number().nonnegative(),
});
const FiguresFile = z.object({
  measuredAt: z.string(),
  edge: z.object({
    maxEventsPerRecord: z.number().positive(),
    aggregatedBytesPerEvent: z.number().positive(),
  }),
  processor: z.object({
    ours: z.array(DensityPointSchema.extend({ command: z.string() })).min(1),
    naive: DensityPointSchema.omit({ eventsPerStorePerBatch: true })
      .required()
      .extend({ command: z.string() }),
    peakRssMb: z.number().positive(),
    sequentialRoundTripsPerBatch: z.number().positive(),
    naiveRoundTripsPerEvent: z.number().positive(),
  }),
  storage: z.object({
    aggregateBytesPerEvent: z.number().positive(),
    homeBytesPerEvent: z.number().min(0).optional(),
  }),
  fleet: FleetFiguresSchema.optional(),
});

/** Plain JSON and archive-line sizes of simulated events, and Firehose's gzip ratio, measured now. */
function measureEvents() {
  const simulator = new FleetSimulator({
    fleet: defineFleet({ stores: 20, lanesPerStore: 8, seed: 11 }),
    seed: 11,
    baselines: DEFAULT_BASELINES,
  });
  const events = simulator.next(2_000);
  const plain = events.map((e) => Buffer.byteLength(JSON.stringify(e)));
  const lines = events.map((e, i) =>
    toArchiveLine({
      shardId: 'shardId-000000000000',
      sequenceNumber: String(10n ** 40n + BigInt(i)),
      partitionKey: e.deviceId,
      data: Buffer.from(JSON.stringify(e)),
      arrivedAt: Date.UTC(2026, 5, 15, 12),
    }),
  );
  const text = `${lines.join('\n')}\n`;
  return {
    plainEventBytes: plain.reduce((s, b) => s + b, 0) / plain.length,
    archiveLineBytes: Buffer.byteLength(text) / lines.length,
    archiveCompression: Buffer.byteLength(text) / gzipSync(text).length,
  };
}

function main() {
  // Every flag takes a value but the two switches; Flags says which values are valid.
  const options = Object.fromEntries(
    [...Object.keys(Flags.shape), 'help'].map((name) => [
      name,
      { type: SWITCHES.has(name) ? 'boolean' : 'string' } as const,
    ]),
  );
  const { values } = parseCommandLine({ options }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      console.error(`--${issue.path.join('.')}: ${issue.message}`);
    console.error(`\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const f = parsed.data;
  const raw = JSON.parse(readFileSync(f.figures, 'utf8'));
  if (f['take-fleet-figures'] !== undefined) {
    takeInto(f, raw);
    return;
  }
  const file = FiguresFile.parse(raw);
  const settings = resolveSettings(f, file.fleet?.settings);
  const measured = measureEvents();
  const figures: MeasuredFigures = {
    edge: { ...file.edge, plainEventBytes: measured.plainEventBytes },
    processor: file.processor,
    storage: {
      aggregateBytesPerEvent: file.storage.aggregateBytesPerEvent,
      ...(file.storage.homeBytesPerEvent !== undefined && {
        homeBytesPerEvent: file.storage.homeBytesPerEvent,
      }),
      homeKeptDays: HOME_KEPT_DAYS,
      archiveLineBytes: measured.archiveLineBytes,
      archiveCompression: measured.archiveCompression,
    },
    ...(file.fleet !== undefined && !f.extrapolate && { fleet: file.fleet }),
  };
  const prices: Prices =
    f.prices === undefined ? PRICES : { ...PRICES, ...JSON.parse(readFileSync(f.prices, 'utf8')) };
  const workload: Workload = {
    ...settings,
    stores: f.stores,
    openHoursPerDay: f['open-hours'],
    peakFactor: f['peak-factor'],
    teams: f.teams,
    incidentsPerTeamDay: f['incidents-per-team-day'],
    kinesisMode: f.kinesis,
    ...(f['kinesis-shards'] !== undefined && { kinesisShards: f['kinesis-shards'] }),
    dynamodbMode: f.dynamodb,
    dynamodbTargetUtilization: f['target-utilization'] / 100,
    parallelizationFactor: f['parallelization-factor'],
    processorMemoryMb: f['memory-mb'],
    apiRequestsPerDay: f['api-requests-per-day'],
    apiLeaderboardShare: f['api-leaderboard-share'],
    archiveDaysInStandard: 90,
    archiveRetentionDays: 365,
  };
  const result = plan(workload, figures, prices);
  const fleet = fleetFiguresFor(workload, figures);
  const output = {
    ...result,
    figuresMeasuredAt: file.measuredAt,
    ...(figures.fleet !== undefined && {
      fleetRun: {
        command: figures.fleet.command,
        measuredAt: figures.fleet.measuredAt,
        profile: figures.fleet.profile,
        used: fleet.figures !== undefined,
        settingsThatDiffer: fleet.differs,
      },
    }),
    pricesAsOf: prices.asOf,
    region: prices.region,
  };
  if (!f.json) {
    printTable(result.ours, result.naive, workload, file.measuredAt, prices);
    printCapacityModes(result.ours, workload);
    // The model at the same settings, beside what the fleet run measured.
    const model =
      fleet.figures === undefined
        ? undefined
        : plan(workload, { ...figures, fleet: undefined }, prices).ours;
    printSources(result.ours, workload, figures, fleet.differs, f.extrapolate, model);
  }
  console.log(JSON.stringify(output));
}

/** `--take-fleet-figures`: one bench:fleet profile into the figures file's `fleet` entry. */
function takeInto(f: ParsedFlags, figuresFile: Record<string, unknown>) {
  const fail = (message: string) => {
    console.error(message);
    process.exitCode = 2;
  };
  if (f.profile === undefined) return fail('--take-fleet-figures needs --profile NAME');
  let entry: z.infer<typeof FleetFiguresSchema>;
  try {
    entry = takeFleetFigures(readFileSync(f['take-fleet-figures'] as string, 'utf8'), {
      profile: f.profile,
      settings: resolveSettings(f, undefined),
      ...(f['measured-at'] !== undefined && { measuredAt: f['measured-at'] }),
      ...(f.command !== undefined && { command: f.command }),
    });
  } catch (error) {
    if (error instanceof FleetFiguresError || error instanceof z.ZodError)
      return fail(`--take-fleet-figures: ${error.message}`);
    throw error;
  }
  writeFileSync(f.figures, `${JSON.stringify({ ...figuresFile, fleet: entry }, null, 2)}\n`);
  console.log(`took profile ${entry.profile} of \`${entry.command}\` into ${f.figures}:`);
  console.log(JSON.stringify(entry, null, 2));
}

const n = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usd = (v: number) => `$${n(v, 0)}`;

function printTable(
  ours: DesignPlan,
  naive: DesignPlan,
  w: Workload,
  measuredAt: string,
  prices: Prices,
) {
  // A row: its label and how to read its figure off a design; printed for both designs.
  const rows: [string, (design: DesignPlan) => string][] = [
    ['events per second (peak)', (d) => n(d.events.perSecondPeak)],
    ['events per month', (d) => n(d.events.perMonth)],
    ['events per record', (d) => n(d.kinesis.eventsPerRecord, 2)],
    ['records per second (peak)', (d) => n(d.kinesis.recordsPerSecondPeak)],
    ['billed KB per event', (d) => n(d.kinesis.billedKbPerEvent, 3)],
    [`shards (${w.kinesisMode})`, (d) => n(d.kinesis.shards)],
    ['Kinesis ingest GB per month', (d) => n(d.kinesis.ingestGbPerMonth, 1)],
    ['Lambda invocations per month', (d) => n(d.lambda.invocationsPerMonth)],
    ['events per batch', (d) => n(d.lambda.eventsPerBatch, 1)],
    ['events per store per batch', (d) => n(d.lambda.eventsPerStorePerBatch, 2)],
    [`ms per invocation (${w.processorMemoryMb} MB)`, (d) => n(d.lambda.msPerInvocation)],
    ['Lambda GB-seconds per month', (d) => n(d.lambda.gbSecondsPerMonth)],
    [
      'concurrency needed / available',
      (d) => `${n(d.lambda.concurrencyPeak, 1)} / ${d.lambda.concurrencyAvailable}`,
    ],
    ['DynamoDB writes per event', (d) => n(d.dynamodb.writesPerEvent, 3)],
    ['DynamoDB write units per event', (d) => n(d.dynamodb.writeUnitsPerEvent, 3)],
    ['DynamoDB read units per event', (d) => n(d.dynamodb.readUnitsPerEvent, 3)],
    ['write units per second (peak)', (d) => n(d.dynamodb.writeUnitsPerSecondPeak)],
    ['archive GB per month (gzip)', (d) => n(d.archive.gbPerMonthCompressed, 1)],
    [
      'freshness p50 / p99 (s)',
      (d) =>
        d.freshness === undefined
          ? 'not measured'
          : `${n(d.freshness.p50Seconds, 1)} / ${n(d.freshness.p99Seconds, 1)}`,
    ],
    [`cost: Kinesis (${w.kinesisMode})`, (d) => usd(d.monthlyCostUsd.kinesis)],
    ['cost: Lambda', (d) => usd(d.monthlyCostUsd.lambda)],
    [`cost: DynamoDB (${w.dynamodbMode})`, (d) => usd(d.monthlyCostUsd.dynamodb)],
    ['cost: archive (Firehose, S3)', (d) => usd(d.monthlyCostUsd.archive)],
    ['cost: API, logs', (d) => usd(d.monthlyCostUsd.api + d.monthlyCostUsd.logs)],
    ['monthly total', (d) => usd(d.monthlyCostUsd.total)],
  ];
  console.log(
    `${w.stores} stores x ${w.lanes} lanes x ${w.eventsPerLaneHour} events per lane-hour, ${w.openHoursPerDay} h a day, peak x${w.peakFactor}; ${w.devicesPerStore} panel PCs per store`,
  );
  console.log(`${''.padEnd(34)}${'this design'.padEnd(18)}naive`);
  for (const [label, cell] of rows)
    console.log(`${label.padEnd(34)}${cell(ours).padEnd(18)}${cell(naive)}`);
  if (ours.lambda.concurrencyPeak > ours.lambda.concurrencyAvailable) {
    console.log(
      `warning: the processor needs ${n(ours.lambda.concurrencyPeak, 1)} concurrent batches at peak but the stream allows ${ours.lambda.concurrencyAvailable}: raise --parallelization-factor or the memory`,
    );
  }
  console.log(
    `figures measured ${measuredAt}; prices ${prices.region} list, as of ${prices.asOf} (see docs/cost-and-capacity.md)`,
  );
}

/** DynamoDB's default per-table throughput quota (units per second, each of reads and writes). */
const DYNAMODB_TABLE_QUOTA = 40_000;

/** Each capacity mode against on-demand for this design's load, and the options to deploy it. */
function printCapacityModes(ours: DesignPlan, w: Workload) {
  const { kinesis: k, dynamodb: d } = ours.capacityModes;
  const p = d.provisioned;
  const target = `${n(p.targetUtilization * 100)}%`;
  const row = (label: string, onDemand: string, provisioned: string) =>
    console.log(`${label.padEnd(40)}${onDemand.padEnd(20)}${provisioned}`);
  console.log('');
  console.log(
    `capacity modes, this design, same load (the totals above: Kinesis ${w.kinesisMode}, DynamoDB ${w.dynamodbMode})`,
  );
  row('', 'on-demand', `provisioned`);
  row(
    'Kinesis shards',
    `${n(k.onDemand.shards)} (AWS scales)`,
    `${n(k.provisioned.shards)} (the peak needs ${n(k.provisioned.neededShards)})`,
  );
  row('Kinesis per month', usd(k.onDemand.costUsd), usd(k.provisioned.costUsd));
  for (const [label, dim] of [
    ['write', p.write],
    ['read', p.read],
  ] as const) {
    row(
      `DynamoDB ${label} units/s, mean / peak`,
      `${n(dim.meanOpenPerSecond)} / ${n(dim.peakPerSecond)}`,
      `min ${n(dim.min)}, max ${n(dim.max)} at ${target}`,
    );
    row(
      `  provisioned: open hour / closed hour`,
      '',
      `${n(dim.openHourCapacity)} / ${n(dim.closedHourCapacity)}`,
    );
  }
  row('DynamoDB per month (aggregates)', usd(d.onDemand.costUsd), usd(p.costUsd));
  console.log(
    `to deploy provisioned: -c dynamodbCapacity=provisioned -c dynamodbMinWrite=${p.write.min} -c dynamodbMaxWrite=${p.write.max} -c dynamodbMinRead=${p.read.min} -c dynamodbMaxRead=${p.read.max} -c dynamodbTargetUtilization=${n(p.targetUtilization * 100)} -c kinesisShards=${k.provisioned.shards}`,
  );
  console.log(
    `assumed: auto scaling holds ${n(AUTOSCALING.trackingHeadroom * 100 - 100)}% over the open hour's mean load at the target, the minimum when closed; ` +
      `at ${target} a burst of ${n(1 / p.targetUtilization, 2)}x the current load (and up to 5 minutes of unused capacity) is served at once, ` +
      'more is throttled and retried until auto scaling catches up (minutes)',
  );
  if (p.write.peakNeed > p.write.max || p.read.peakNeed > p.read.max)
    console.log(
      'warning: the peak needs more than the maximum: it is throttled until the load falls',
    );
  if (Math.max(p.write.max, p.read.max) > DYNAMODB_TABLE_QUOTA)
    console.log(
      `note: a maximum above ${n(DYNAMODB_TABLE_QUOTA)} units/s needs DynamoDB's per-table quota raised first`,
    );
  if (k.provisioned.shards < k.provisioned.neededShards)
    console.log(
      `warning: ${k.provisioned.shards} shards are fewer than the ${k.provisioned.neededShards} the peak needs: the edge clients are throttled and spool`,
    );
}

/** Where this design's per-event figures came from, and whether the fleet run applied. */
function printSources(
  ours: DesignPlan,
  w: Workload,
  figures: MeasuredFigures,
  differs: readonly string[],
  extrapolate: boolean,
  model: DesignPlan | undefined,
) {
  const labels: Record<FigureGroup, string> = {
    records: 'events per record, billed Kinesis KB',
    archive: 'Firehose-billed bytes',
    batches: 'events per store per batch',
    processor: 'DynamoDB writes and units, CPU',
    freshness: 'freshness',
  };
  console.log('');
  console.log("this design's per-event figures:");
  for (const [group, label] of Object.entries(labels))
    console.log(`  ${label.padEnd(38)}${ours.sources[group as FigureGroup]}`);
  const fleet = figures.fleet;
  if (fleet !== undefined) {
    const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const settings = fleet.settings as unknown as Record<string, unknown>;
    console.log(
      `  bench:fleet run: \`${fleet.command}\` (${fleet.measuredAt}, profile ${fleet.profile}): ` +
        (differs.length === 0
          ? 'its figures are used above'
          : `not used: these settings differ from its ${differs.map((k) => `${flag(k)} ${settings[k]}`).join(', ')}`),
    );
  } else if (!extrapolate) {
    console.log('  no bench:fleet run in the figures file (npm run plan -- --take-fleet-figures)');
  }
  if (model !== undefined)
    console.log(
      `  the model at these settings would say: ${n(model.lambda.eventsPerStorePerBatch, 2)} events per store per batch, ` +
        `${n(model.dynamodb.writeUnitsPerEvent, 3)} write units per event, ${usd(model.monthlyCostUsd.total)} a month (--extrapolate)`,
    );
  if (extrapolate) console.log('  --extrapolate: the fleet run is not used');
  const deployed = FLEET_BATCHING;
  if (w.batchSize !== deployed.batchSize || w.batchWindowMs !== deployed.maxBatchingWindowMs)
    console.log(
      `note: the prod stage deploys batch ${n(deployed.batchSize)} / ${n(deployed.maxBatchingWindowMs / 1000)} s (FLEET_BATCHING; -c batchSize and -c batchWindowSeconds change it); this plan prices ${n(w.batchSize)} / ${n(w.batchWindowMs / 1000)} s`,
    );
}

main();
