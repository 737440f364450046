import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as z from 'zod';
import { toArchiveLine } from '#archive';
import { PROCESSOR_MEMORY_MB } from '#cdk';
import { DEFAULT_BASELINES } from '#domain/hours-saved';
import { PROCESSOR_EVENT_SOURCE } from '#processor';
import { defineFleet, FleetSimulator } from '#simulator';
import { parseCommandLine } from '#utils';
import {
  type DesignPlan,
  type MeasuredFigures,
  plan,
  type Workload,
} from './cost-model/capacity-model.js';
import { PRICES, type Prices } from './cost-model/prices.js';

const USAGE = `npm run plan -- [options]

Prints the shards, Lambda invocations and GB-seconds, DynamoDB units, archive bytes and a
monthly cost estimate for a fleet, for this design and for the naive one (one event per record,
one idempotency write and one item write per event), from the per-event figures the benchmarks
measured (infra/tools/cost-model/measured-figures.json) and list prices (infra/tools/cost-model/prices.ts).

  --stores N                     stores (default 10500)
  --lanes N                      checkout lanes per store (default 40)
  --events-per-lane-hour N       detections and outcomes per lane per open hour (default 30)
  --open-hours N                 open hours per day (default 16)
  --peak-factor N                busiest hour over the average open hour (default 2)
  --devices-per-store N          panel PCs per store (default: one per lane)
  --linger-ms N                  edge client linger (default 100, the daemon's default)
  --partition-by store|device    edge client partition key (default store, the client's default)
  --teams N                      on-call teams (default 20)
  --incidents-per-team-day N     closed incidents per team per day (default 30)
  --kinesis on-demand|provisioned  stream capacity mode (default on-demand)
  --batch-size N                 event source batch size (default ${PROCESSOR_EVENT_SOURCE.batchSize})
  --batch-window-ms N            event source batching window (default ${PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs})
  --parallelization-factor N     concurrent batches per shard (default ${PROCESSOR_EVENT_SOURCE.parallelizationFactor})
  --memory-mb N                  processor memory (default ${PROCESSOR_MEMORY_MB}, the stack's)
  --api-requests-per-day N       dashboard and assistant queries (default 20000)
  --figures FILE                 measured figures (default infra/tools/cost-model/measured-figures.json)
  --prices FILE                  prices JSON, same shape as infra/tools/cost-model/prices.ts
  --json                         print only the JSON`;

const positive = z.coerce.number().positive();
const Flags = z.object({
  stores: positive.default(10_500),
  lanes: positive.default(40),
  'events-per-lane-hour': positive.default(30),
  'open-hours': z.coerce.number().positive().max(24).default(16),
  'peak-factor': z.coerce.number().min(1).default(2),
  'devices-per-store': positive.optional(),
  'linger-ms': z.coerce.number().min(0).max(10_000).default(100),
  'partition-by': z.enum(['store', 'device']).default('store'),
  teams: z.coerce.number().min(0).default(20),
  'incidents-per-team-day': z.coerce.number().min(0).default(30),
  kinesis: z.enum(['on-demand', 'provisioned']).default('on-demand'),
  'batch-size': z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(PROCESSOR_EVENT_SOURCE.batchSize),
  'batch-window-ms': z.coerce
    .number()
    .int()
    .min(0)
    .max(300_000)
    .default(PROCESSOR_EVENT_SOURCE.maxBatchingWindowMs),
  'parallelization-factor': z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(PROCESSOR_EVENT_SOURCE.parallelizationFactor),
  'memory-mb': z.coerce.number().int().min(128).max(10_240).default(PROCESSOR_MEMORY_MB),
  'api-requests-per-day': z.coerce.number().min(0).default(20_000),
  figures: z.string().default('infra/tools/cost-model/measured-figures.json'),
  prices: z.string().optional(),
  json: z.boolean().default(false),
});

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
  storage: z.object({ aggregateBytesPerEvent: z.number().positive() }),
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
      { type: name === 'json' || name === 'help' ? 'boolean' : 'string' } as const,
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
  const file = FiguresFile.parse(JSON.parse(readFileSync(f.figures, 'utf8')));
  const measured = measureEvents();
  const figures: MeasuredFigures = {
    edge: { ...file.edge, plainEventBytes: measured.plainEventBytes },
    processor: file.processor,
    storage: {
      aggregateBytesPerEvent: file.storage.aggregateBytesPerEvent,
      archiveLineBytes: measured.archiveLineBytes,
      archiveCompression: measured.archiveCompression,
    },
  };
  const prices: Prices =
    f.prices === undefined ? PRICES : { ...PRICES, ...JSON.parse(readFileSync(f.prices, 'utf8')) };
  const workload: Workload = {
    stores: f.stores,
    lanes: f.lanes,
    eventsPerLaneHour: f['events-per-lane-hour'],
    openHoursPerDay: f['open-hours'],
    peakFactor: f['peak-factor'],
    devicesPerStore: f['devices-per-store'] ?? f.lanes,
    lingerMs: f['linger-ms'],
    partitionBy: f['partition-by'],
    teams: f.teams,
    incidentsPerTeamDay: f['incidents-per-team-day'],
    kinesisMode: f.kinesis,
    batchSize: f['batch-size'],
    batchWindowMs: f['batch-window-ms'],
    parallelizationFactor: f['parallelization-factor'],
    processorMemoryMb: f['memory-mb'],
    apiRequestsPerDay: f['api-requests-per-day'],
    archiveDaysInStandard: 90,
    archiveRetentionDays: 365,
  };
  const result = plan(workload, figures, prices);
  const output = {
    ...result,
    figuresMeasuredAt: file.measuredAt,
    pricesAsOf: prices.asOf,
    region: prices.region,
  };
  if (!f.json) printTable(result.ours, result.naive, workload, file.measuredAt, prices);
  console.log(JSON.stringify(output));
}

function printTable(
  ours: DesignPlan,
  naive: DesignPlan,
  w: Workload,
  measuredAt: string,
  prices: Prices,
) {
  const n = (v: number, digits = 0) =>
    v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const usd = (v: number) => `$${n(v, 0)}`;
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
    ['cost: Kinesis', (d) => usd(d.monthlyCostUsd.kinesis)],
    ['cost: Lambda', (d) => usd(d.monthlyCostUsd.lambda)],
    ['cost: DynamoDB', (d) => usd(d.monthlyCostUsd.dynamodb)],
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

main();
