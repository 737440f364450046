/**
 * `npm run bench:memory`: runs the processor bundle, built as the CDK stack builds it, in a
 * fresh Node process on full Lambda batches against the DynamoDB emulator (its own process),
 * and reports peak RSS, CPU per batch and per event; the baseline, in the same run, is the same
 * process after importing the bundle and handling nothing. These figures size the functions'
 * memory (infra/cdk/constructs/function-defaults.ts) and feed `npm run plan`.
 *
 * Options: --records N (per batch, default the event source's batch size), --batches N
 * (default 4), --stores N (default 100), --lanes N (default 1): few senders, so records are full.
 * At the fleet's shape (issue 19): --events-per-record N packs exactly N events of one partition
 * key into each record (1: plain records, as a panel PC sends one event every two minutes; 10-40:
 * what a store gateway would send), --partition-by device|store (default device) names that key,
 * and --payload-cap-mb M ends a batch before its event would exceed M MB, as Lambda's 6 MB
 * invocation payload cap does (default: no cap, so a batch is --records long whatever its size).
 *
 *   npm run bench:memory -- --stores 1170 --lanes 40 --records 10000 --events-per-record 1
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TelemetryEvent } from '#contract';
import { defineFleet, FleetSimulator } from '#simulator';
import {
  type BuiltRecord,
  buildRecords,
} from '../../edge-client/src/aggregation/record-builder.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { PROCESSOR_EVENT_SOURCE } from '../../functions/processor/event-source.js';
import { TABLES } from '../../functions/shared/resources.js';
import { ensureTable } from '../../infra/local/provision.js';
import { bundleFunction, FUNCTIONS, scratchDir } from './bundles.js';
import { startDynaliteProcess } from './dynalite-process.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: String(PROCESSOR_EVENT_SOURCE.batchSize) },
    batches: { type: 'string', default: '4' },
    stores: { type: 'string', default: '100' },
    lanes: { type: 'string', default: '1' },
    'events-per-record': { type: 'string', default: '0' },
    'partition-by': { type: 'string', default: 'device' },
    'payload-cap-mb': { type: 'string', default: '0' },
  },
});
const RECORDS = Number(values.records);
const BATCHES = Number(values.batches);
/** Events per record; 0 packs each record as full as the edge client's aggregation allows. */
const EVENTS_PER_RECORD = Number(values['events-per-record']);
if (!Number.isInteger(EVENTS_PER_RECORD) || EVENTS_PER_RECORD < 0)
  throw new Error('--events-per-record must be a whole number >= 0');
const PARTITION_BY = values['partition-by'];
if (PARTITION_BY !== 'device' && PARTITION_BY !== 'store')
  throw new Error('--partition-by must be device or store');
/** Lambda's invocation payload cap is 6 MB; 0 is no cap. */
const PAYLOAD_CAP_BYTES = Number(values['payload-cap-mb']) * 1048576;
if (!(PAYLOAD_CAP_BYTES >= 0)) throw new Error('--payload-cap-mb must be a number >= 0');
const LAMBDA_PAYLOAD_CAP_BYTES = 6 * 1048576;

// ---- full batches of aggregated, compressed records, as edge clients send them ------------
const fleet = defineFleet({
  stores: Number(values.stores),
  lanesPerStore: Number(values.lanes),
  seed: 9,
});
const simulator = new FleetSimulator({ fleet, seed: 9, baselines: DEFAULT_BASELINES });
const out = scratchDir('bench-memory');
const eventFiles: string[] = [];
let events = 0;
let recordCount = 0;
let payloadBytes = 0;
let sequence = 10n ** 40n;
const partitionKey = (e: TelemetryEvent) =>
  PARTITION_BY === 'store' && 'storeId' in e && e.storeId !== undefined ? e.storeId : e.deviceId;
const toUserRecord = (e: TelemetryEvent) => ({
  partitionKey: partitionKey(e),
  data: Buffer.from(JSON.stringify(e)),
});
// Events wait here per partition key until they make a record of EVENTS_PER_RECORD.
const pending = new Map<string, TelemetryEvent[]>();
function* nextRecords(): Generator<BuiltRecord<TelemetryEvent>> {
  for (;;) {
    const batch = simulator.next(20_000);
    if (EVENTS_PER_RECORD === 0) {
      yield* buildRecords(batch, toUserRecord, undefined);
      continue;
    }
    for (const e of batch) {
      const key = partitionKey(e);
      const group = [...(pending.get(key) ?? []), e];
      if (group.length < EVENTS_PER_RECORD) {
        pending.set(key, group);
        continue;
      }
      pending.delete(key);
      const built = buildRecords(group, toUserRecord, undefined);
      if (built.length !== 1) throw new Error(`${EVENTS_PER_RECORD} events exceed one record`);
      yield* built;
    }
  }
}
const source = nextRecords();
// The fields Lambda's Kinesis event carries besides the record, so that the payload is its size.
const envelope = {
  eventSource: 'aws:kinesis',
  eventVersion: '1.0',
  eventName: 'aws:kinesis:record',
  invokeIdentityArn: 'arn:aws:iam::000000000000:role/processor',
  awsRegion: 'us-east-1',
  eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/telemetry',
};
let carried: BuiltRecord<TelemetryEvent> | undefined;
for (let b = 0; b < BATCHES; b++) {
  const records: string[] = [];
  let bytes = '{"Records":[]}'.length;
  while (records.length < RECORDS) {
    const r = carried ?? (source.next().value as BuiltRecord<TelemetryEvent>);
    carried = undefined;
    sequence += 1n;
    const json = JSON.stringify({
      eventID: `shardId-000000000000:${sequence}`,
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: String(sequence),
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: Date.now() / 1000,
      },
      ...envelope,
    });
    const added = Buffer.byteLength(json) + (records.length > 0 ? 1 : 0);
    if (PAYLOAD_CAP_BYTES > 0 && records.length > 0 && bytes + added > PAYLOAD_CAP_BYTES) {
      carried = r; // the next batch starts with it
      break;
    }
    bytes += added;
    events += r.items.length;
    records.push(json);
  }
  recordCount += records.length;
  const body = `{"Records":[${records.join(',')}]}`;
  payloadBytes = Math.max(payloadBytes, Buffer.byteLength(body));
  const file = join(out, `batch-${b}.json`);
  writeFileSync(file, body);
  eventFiles.push(file);
}

const dynalite = await startDynaliteProcess();
const client = new DynamoDBClient({
  endpoint: dynalite.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
for (const table of [TABLES.aggregates, TABLES.registry, TABLES.deadLetters])
  await ensureTable(client, table, table.localName);
await putRegistryEntries(client, TABLES.registry.localName, {
  stores: fleet.stores.map(({ storeId, region, timeZone }) => ({ storeId, region, timeZone })),
  devices: [
    ...fleet.panels.map(({ deviceId, storeId }) => ({ deviceId, kind: 'panel' as const, storeId })),
    ...fleet.agents.map(({ deviceId, teamId }) => ({ deviceId, kind: 'agent' as const, teamId })),
  ],
});
client.destroy();

const bundle = await bundleFunction(out, 'processor', FUNCTIONS.processor, true);
const apiBundle = await bundleFunction(out, 'impact-api', FUNCTIONS['impact-api'], true);
const env = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
  AGGREGATES_TABLE: TABLES.aggregates.localName,
  REGISTRY_TABLE: TABLES.registry.localName,
  DEAD_LETTER_TABLE: TABLES.deadLetters.localName,
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
// The worker: import the bundle, then handle each batch file; report RSS and CPU as JSON.
const worker = `
const { readFileSync } = await import('node:fs');
const files = JSON.parse(process.argv[1]);
const rss = () => process.memoryUsage().rss / 1048576;
const { handler } = await import(${JSON.stringify(bundle)});
global.gc?.();
const idleRssMb = rss();
const idleMaxRssMb = process.resourceUsage().maxRSS / 1024;
const context = { awsRequestId: 'bench', functionName: 'processor', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 900000 };
const perBatch = [];
for (const file of files) {
  const event = JSON.parse(readFileSync(file, 'utf8'));
  const cpu0 = process.cpuUsage(); const t0 = performance.now();
  const result = await handler(event, context);
  const cpu = process.cpuUsage(cpu0);
  if (result.batchItemFailures.length > 0) throw new Error('batch failures in a fault-free run');
  perBatch.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 });
}
console.log(JSON.stringify({ idleRssMb, idleMaxRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024, perBatch }));
`;
const run = (files: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', worker, JSON.stringify(files)], {
      env,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    })
      .trim()
      .split('\n')
      .at(-1) as string,
  ) as {
    idleRssMb: number;
    idleMaxRssMb: number;
    peakRssMb: number;
    perBatch: { cpuMs: number; wallMs: number }[];
  };

const baseline = run([]);
const measured = run(eventFiles);

// The impact API on what the processor wrote: leadership queries over 90 days and a year.
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const apiRequests = [
  { path: '/v1/impact', routeKey: 'GET /v1/impact', query: { from: daysAgo(364), to: today } },
  { path: '/v1/impact', routeKey: 'GET /v1/impact', query: { from: daysAgo(89), to: today } },
  {
    path: '/v1/stores',
    routeKey: 'GET /v1/stores',
    query: { from: daysAgo(89), to: today, limit: '100' },
  },
  { path: '/v1/teams', routeKey: 'GET /v1/teams', query: { from: daysAgo(89), to: today } },
];
const apiWorker = `
const requests = JSON.parse(process.argv[1]);
const { handler } = await import(${JSON.stringify(apiBundle)});
const context = { awsRequestId: 'bench', functionName: 'impact-api', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:impact-api', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
const cpu0 = process.cpuUsage();
for (let round = 0; round < 5; round++) {
  for (const r of requests) {
    const event = { version: '2.0', routeKey: r.routeKey, rawPath: r.path, rawQueryString: new URLSearchParams(r.query).toString(), headers: {}, queryStringParameters: r.query,
      requestContext: { http: { method: 'GET', path: r.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench', routeKey: r.routeKey, stage: '$default', timeEpoch: Date.now(),
        authorizer: { jwt: { claims: { sub: 'bench', 'custom:role': 'leadership' }, scopes: [] } } }, isBase64Encoded: false };
    const result = await handler(event, context);
    if (result.statusCode !== 200) throw new Error('status ' + result.statusCode + ' ' + result.body);
  }
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / (5 * requests.length) }));
`;
const api = JSON.parse(
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', apiWorker, JSON.stringify(apiRequests)],
    {
      env,
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .at(-1) as string,
) as { peakRssMb: number; cpuMsPerRequest: number };
dynalite.child.kill();

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const cpuMs = measured.perBatch.reduce((s, b) => s + b.cpuMs, 0);
const result = {
  records: RECORDS,
  batches: BATCHES,
  recordsPerBatch: round(recordCount / BATCHES, 0),
  eventsPerRecord: round(events / recordCount, 2),
  eventsPerBatch: round(events / BATCHES, 0),
  largestPayloadMb: round(payloadBytes / 1048576, 2),
  // Lambda refuses a payload over 6 MB: its event source would have sent a smaller batch.
  overLambdaPayloadCap: payloadBytes > LAMBDA_PAYLOAD_CAP_BYTES,
  processor: {
    peakRssMb: round(measured.peakRssMb),
    cpuMsPerBatch: round(cpuMs / BATCHES, 0),
    cpuMsPerEvent: round(cpuMs / events, 4),
    wallMsPerBatch: round(measured.perBatch.reduce((s, b) => s + b.wallMs, 0) / BATCHES, 0),
  },
  baseline: { peakRssMb: round(baseline.peakRssMb) },
  impactApi: { peakRssMb: round(api.peakRssMb), cpuMsPerRequest: round(api.cpuMsPerRequest) },
};
console.log(
  `${result.recordsPerBatch} records per batch (${result.eventsPerRecord} events each), ${result.eventsPerBatch} events per batch, payload ${result.largestPayloadMb} MB` +
    (result.overLambdaPayloadCap
      ? " (over Lambda's 6 MB cap: no real batch is this large; see --payload-cap-mb 6)"
      : ''),
);
console.log(`${''.padEnd(28)}${'full batches'.padEnd(16)}baseline (imported, idle)`);
console.log(
  `${'peak RSS'.padEnd(28)}${`${result.processor.peakRssMb} MB`.padEnd(16)}${result.baseline.peakRssMb} MB   (${round(result.processor.peakRssMb / result.baseline.peakRssMb, 2)}x)`,
);
console.log(
  `${'CPU per batch'.padEnd(28)}${result.processor.cpuMsPerBatch} ms (${result.processor.cpuMsPerEvent} ms per event)`,
);
console.log(`${'wall time per batch'.padEnd(28)}${result.processor.wallMsPerBatch} ms`);
console.log(
  `${'impact API peak RSS'.padEnd(28)}${`${result.impactApi.peakRssMb} MB`.padEnd(16)}(${result.impactApi.cpuMsPerRequest} ms CPU per leadership query)`,
);
console.log(JSON.stringify(result));
