/**
 * `npm run bench:processor`: the same stream of simulated events, in 1,000-record batches,
 * processed against the DynamoDB emulator (its own process) by (a) this project's processor and
 * (b) a naive baseline, the Powertools pattern: one idempotency write and one conditional write
 * per event. Checks both end with identical aggregates; prints a table and a last JSON line.
 * Then (c): the time of one normal batch, and of the same batch with one amplification record
 * in it (issue 17), each on fresh tables in the same run.
 *
 *   npm run bench:processor -- [--events 20000] [--stores 50] [--lanes 12] [--dynamodb local]
 *
 * `--dynamodb local` runs the same against Amazon's DynamoDB Local instead of dynalite, to
 * cross-check the capacity units (docs/cost-and-capacity.md, "Cross-checked against DynamoDB
 * Local"; dynamodb-emulator.ts says where it finds the jar).
 */
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { TelemetryEvent } from '#contract';
import { defineFleet, FleetSimulator } from '#simulator';
import { encodeAggregate, MAX_USER_RECORDS } from '#wire';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import {
  DynamoDbRegistry,
  putRegistryEntries,
} from '../../functions/adapters/dynamodb-registry.js';
import { homeItemKey, itemId } from '../../functions/domain/aggregate-keys.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { routeEvent } from '../../functions/domain/route-event.js';
import { processBatch, type StreamRecord } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { ensureTable } from '../../infra/local/provision.js';
import { itemBytes, itemCounters } from '../helpers/local-dynamodb.js';
import {
  type CapacityCount,
  countRequest,
  countResponse,
  emptyCount,
  operationName,
} from './capacity-counter.js';
import { DYNAMODB_OPTION, parseDynamoDbChoice, startDynamoDb } from './dynamodb-emulator.js';
import { signingCost } from './signing-cost.js';

// This machine runs Node 20; the SDK's notice about future releases is noise in a benchmark.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    stores: { type: 'string', default: '50' },
    lanes: { type: 'string', default: '12' },
    'batch-size': { type: 'string', default: '1000' },
    'no-baseline': { type: 'boolean', default: false },
    // dynalite, local (Amazon's DynamoDB Local) or a URL: dynamodb-emulator.ts.
    dynamodb: DYNAMODB_OPTION,
  },
});
const EVENTS = Number(values.events);
const BATCH = Number(values['batch-size']);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A client that counts the items it writes and the capacity units DynamoDB bills for its
 * reads and writes (capacity-counter.ts: every request asks for its consumed capacity), in all
 * and per operation. A write refused by its condition is counted as a write with no units (no
 * emulator reports its units; DynamoDB bills it as if it had written): `conditionFailures`
 * says how many there were.
 */
function countingClient(endpoint: string) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 6,
  });
  const counter = emptyCount();
  let byOperation: Record<string, CapacityCount & { conditionFailures: number }> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationName(context.commandName ?? '');
      const counted = countRequest(counter, operation, args.input);
      byOperation[operation] ??= { ...emptyCount(), conditionFailures: 0 };
      const own = byOperation[operation];
      if (counted) countRequest(own, operation, args.input);
      try {
        const result = await next(args);
        if (counted) {
          countResponse(counter, operation, result.output);
          countResponse(own, operation, result.output);
        }
        return result;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) own.conditionFailures++;
        throw error;
      }
    },
    { step: 'initialize', name: 'countWrites' },
  );
  /** Zeroes the counts (the run's total and per operation), returning those so far. */
  const reset = () => {
    const so = byOperation;
    byOperation = {};
    counter.writes = 0;
    counter.reads = 0;
    counter.writeUnits = 0;
    counter.readUnits = 0;
    counter.requests = 0;
    return so;
  };
  return { client, counter, reset };
}

// ---- the workload ---------------------------------------------------------------------------
const fleet = defineFleet({
  stores: Number(values.stores),
  lanesPerStore: Number(values.lanes),
  seed: 5,
});
const simulator = new FleetSimulator({
  fleet,
  seed: 5,
  baselines: DEFAULT_BASELINES,
  resendRate: 0.02,
});
const events: TelemetryEvent[] = [];
while (events.length < EVENTS)
  events.push(...simulator.next(Math.min(1_000, EVENTS - events.length)));
events.length = EVENTS;
const arrivedAt = Date.now();
const records: StreamRecord[] = events.map((e, i) => {
  const data = Buffer.from(JSON.stringify(e));
  return {
    shardId: 'shardId-000000000000',
    sequenceNumber: String(10n ** 40n + BigInt(i)),
    partitionKey: e.deviceId,
    data,
    arrivedAt,
  };
});
const batches: StreamRecord[][] = [];
for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
// Density: how many events a batch holds per store it touches (writes per event follow it).
const eventsPerStorePerBatch =
  EVENTS /
  batches.reduce(
    (s, b, i) =>
      s +
      new Set(events.slice(i * BATCH, i * BATCH + b.length).map((e) => e.storeId ?? e.deviceId))
        .size,
    0,
  );

const dynamodb = await startDynamoDb(parseDynamoDbChoice(values.dynamodb));
process.on('exit', () => dynamodb.child?.kill());
const { client, counter, reset } = countingClient(dynamodb.endpoint);
const tables = {
  ours: 'bench-ours',
  baseline: 'bench-baseline',
  idempotency: 'bench-idempotency',
  registry: 'bench-registry',
  dlq: 'bench-dlq',
};
await ensureTable(client, TABLES.aggregates, tables.ours);
await ensureTable(client, TABLES.aggregates, tables.baseline);
await ensureTable(client, TABLES.registry, tables.idempotency);
await ensureTable(client, TABLES.registry, tables.registry);
await ensureTable(client, TABLES.deadLetters, tables.dlq);
await putRegistryEntries(client, tables.registry, {
  stores: fleet.stores.map(({ storeId, region, timeZone }) => ({ storeId, region, timeZone })),
  devices: [
    ...fleet.panels.map(({ deviceId, storeId }) => ({ deviceId, kind: 'panel' as const, storeId })),
    ...fleet.agents.map(({ deviceId, teamId }) => ({ deviceId, kind: 'agent' as const, teamId })),
  ],
});

// ---- (a) this project's processor ----------------------------------------------------------
const store = new DynamoDbAggregateStore(client, tables.ours);
const deps = {
  aggregates: store,
  registry: new DynamoDbRegistry(client, tables.registry),
  deadLetters: new DynamoDbDeadLetters(client, tables.dlq),
  logger: silent,
  fold: { baselines: DEFAULT_BASELINES },
  eventTime: DEFAULT_EVENT_TIME_RULES,
  // The bench's records are unsigned (signing's cost is measured apart).
  unsignedRecords: 'accept' as const,
};
reset();
let duplicates = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const batch of batches) {
  const result = await processBatch(batch, deps);
  if (result.failedSequenceNumbers.length > 0)
    throw new Error('processor reported failures in a fault-free run');
  duplicates += result.stats.duplicates;
}
const oursSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const oursWrites = counter.writes;
const oursUnits = { write: counter.writeUnits, read: counter.readUnits };
const oursByOperation = reset();

// ---- (c) amplification: a normal batch, and the same batch plus one hostile record -----------
// Each run starts on fresh tables, so the batch does the same work with and without the extra
// record: the difference is what the record costs. The records are those of issue 17: 100,000
// empty user records in ~1 KB of gzip (past the user-record cap), and one at the cap, 4,369
// user records that the contract refuses (each would have been a dead letter).
const amplificationRecords = {
  'past the cap (100,000 empty user records)': gzipSync(
    encodeAggregate(
      Array.from({ length: 100_000 }, () => ({ partitionKey: 'x', data: Buffer.alloc(0) })),
    ),
  ),
  [`at the cap (${MAX_USER_RECORDS} refused user records)`]: gzipSync(
    encodeAggregate(
      Array.from({ length: MAX_USER_RECORDS }, (_, i) => ({
        partitionKey: 'x',
        data: Buffer.from(`{"schemaVersion":1,"n":${i}}`),
      })),
    ),
  ),
};
const normalEvents = simulator.next(BATCH);
const normalBatch: StreamRecord[] = normalEvents.map((e, i) => ({
  shardId: 'shardId-000000000001',
  sequenceNumber: String(10n ** 41n + BigInt(i)),
  partitionKey: e.deviceId,
  data: Buffer.from(JSON.stringify(e)),
  arrivedAt,
}));
let amplificationTables = 0;
async function timedBatch(batch: readonly StreamRecord[]) {
  amplificationTables++;
  const table = `bench-amplification-${amplificationTables}`;
  await ensureTable(client, TABLES.aggregates, table);
  const t = performance.now();
  const result = await processBatch(batch, {
    ...deps,
    aggregates: new DynamoDbAggregateStore(client, table),
  });
  const ms = performance.now() - t;
  if (result.failedSequenceNumbers.length > 0) throw new Error('amplification batch failed');
  return { ms, counted: result.stats.counted, letters: result.stats.deadLetterItems };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const amplification: Record<
  string,
  { ms: number; counted: number; deadLetterItems: number; recordBytes?: number }
> = {};
const ROUNDS = 3;
// The cases take turns round by round, so warm-up and machine noise fall on all of them.
const cases: { name: string; batch: StreamRecord[]; recordBytes?: number }[] = [
  { name: 'normal batch', batch: normalBatch },
  ...Object.entries(amplificationRecords).map(([name, data]) => {
    const hostile: StreamRecord = {
      shardId: 'shardId-000000000001',
      sequenceNumber: String(10n ** 41n + BigInt(BATCH)),
      partitionKey: 'x',
      data,
      arrivedAt,
    };
    // The hostile record in the middle of the batch, as it would arrive among good ones.
    return {
      name: `+ one record ${name}`,
      batch: [...normalBatch.slice(0, BATCH / 2), hostile, ...normalBatch.slice(BATCH / 2)],
      recordBytes: data.byteLength,
    };
  }),
];
const runs = new Map<string, Awaited<ReturnType<typeof timedBatch>>[]>();
await timedBatch(normalBatch); // warm-up, not counted
for (let r = 0; r < ROUNDS; r++) {
  for (const c of cases) runs.set(c.name, [...(runs.get(c.name) ?? []), await timedBatch(c.batch)]);
}
for (const c of cases) {
  const timed = runs.get(c.name) ?? [];
  amplification[c.name] = {
    ms: Math.round(median(timed.map((x) => x.ms))),
    counted: timed[0]?.counted ?? 0,
    deadLetterItems: timed[0]?.letters ?? 0,
    ...(c.recordBytes !== undefined && { recordBytes: c.recordBytes }),
  };
}

// ---- (b) the baseline: idempotency record + one conditional write per event -----------------
let baselineSeconds = Number.NaN;
let baselineWrites = Number.NaN;
let baselineCpuMsPer1000 = Number.NaN;
const baselineUnits = { write: Number.NaN, read: Number.NaN };
let baselineByOperation: ReturnType<typeof reset> = {};
if (!values['no-baseline']) {
  const registry = new DynamoDbRegistry(client, tables.registry);
  const baselineStore = new DynamoDbAggregateStore(client, tables.baseline);
  reset();
  const baselineCpu0 = process.cpuUsage();
  const t1 = performance.now();
  for (const record of records) {
    for (const item of decodeRecord(record.data).events) {
      const event = item.event;
      if (event.type === 'device_status') continue;
      const view = await registry.load(
        [event.deviceId],
        event.storeId === undefined ? [] : [event.storeId],
      );
      const routing = routeEvent(event, {
        device: (id) => view.devices.get(id),
        store: (id) => view.stores.get(id),
      });
      if (!routing.ok) continue;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tables.idempotency,
            Item: { pk: { S: `IDEMPOTENCY#${event.eventId}` }, status: { S: 'COMPLETED' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      // Read-modify-write of the event's home item, conditional on its version.
      for (;;) {
        const current =
          (await baselineStore.loadHomes([routing.home])).get(itemId(homeItemKey(routing.home))) ??
          emptyHome(routing.home, routing.region);
        const fold = foldEvents(current, [event], { baselines: DEFAULT_BASELINES });
        if (
          fold.counted === 0 ||
          (await baselineStore.putHome(fold.next, current.version)) === 'ok'
        )
          break;
      }
    }
  }
  baselineSeconds = (performance.now() - t1) / 1000;
  const used = process.cpuUsage(baselineCpu0);
  baselineCpuMsPer1000 = ((used.user + used.system) / 1000 / EVENTS) * 1000;
  baselineWrites = counter.writes;
  baselineUnits.write = counter.writeUnits;
  baselineUnits.read = counter.readUnits;
  baselineByOperation = reset();
}

// ---- compare --------------------------------------------------------------------------------
async function homes(table: string): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) out.set(`${item.pk?.S}|${item.sk?.S}`, itemCounters(item));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}
const ours = await homes(tables.ours);
const sum = (pattern: RegExp, counter: string) =>
  [...ours].filter(([k]) => pattern.test(k)).reduce((s, [, c]) => s + (c[counter] ?? 0), 0);
const rollupsConsistent =
  ['detections', 'lossDetectedCents', 'lossPreventedCents', 'confirmedLossCents'].every(
    (c) =>
      sum(/^STORE#.*\|SLOT#/, c) === sum(/^STORE#.*\|DAY#/, c) &&
      sum(/^STORE#.*\|DAY#/, c) === sum(/^ROLLUP#ORG#DAY#/, c) &&
      sum(/^STORE#.*\|DAY#/, c) === sum(/^ROLLUP#REGION#/, c) &&
      sum(/^STORE#.*\|DAY#/, c) === sum(/^TOTALS#ORG#DAY\|/, c) &&
      sum(/^STORE#.*\|DAY#/, c) === sum(/^TOTALS#REGION#/, c),
  ) &&
  sum(/^TEAM#.*\|PART#/, 'minutesSaved') === sum(/^TEAM#.*\|WEEK#/, 'minutesSaved') &&
  sum(/^TEAM#.*\|WEEK#/, 'minutesSaved') === sum(/^ROLLUP#ORG#WEEK#/, 'minutesSaved');
let identical = rollupsConsistent;
if (!values['no-baseline']) {
  const theirs = await homes(tables.baseline);
  // The baseline keeps the home items only (store slots and team week parts).
  const homeKeys = [...ours.keys()].filter(
    (k) =>
      !k.startsWith('ROLLUP#') &&
      !k.startsWith('TOTALS#') &&
      !k.includes('|DAY#') &&
      !k.includes('|WEEK#'),
  );
  identical =
    identical &&
    homeKeys.length === theirs.size &&
    homeKeys.every((k) => JSON.stringify(ours.get(k)) === JSON.stringify(theirs.get(k)));
}
let largestRollupBytes = 0;
let largestHomeBytes = 0;
let aggregateBytes = 0;
/** Of which home items (store slots, team week parts), which expire (home-expiry.ts). */
let homeBytes = 0;
/** DynamoDB bills storage as each item's size plus this much per item for its indexing. */
const DYNAMODB_ITEM_OVERHEAD_BYTES = 100;
for (const [k] of ours) {
  const [pk, sk] = k.split('|') as [string, string];
  const item =
    (
      await client.send(
        new GetItemCommand({ TableName: tables.ours, Key: { pk: { S: pk }, sk: { S: sk } } }),
      )
    ).Item ?? {};
  const bytes = itemBytes(item);
  aggregateBytes += bytes + DYNAMODB_ITEM_OVERHEAD_BYTES;
  if (/\|(SLOT|PART)#/.test(k)) homeBytes += bytes + DYNAMODB_ITEM_OVERHEAD_BYTES;
  if (k.startsWith('ROLLUP#')) largestRollupBytes = Math.max(largestRollupBytes, bytes);
  else largestHomeBytes = Math.max(largestHomeBytes, bytes);
}
dynamodb.child?.kill();
client.destroy();

// ---- (c) signed records: what the signature adds, on the same events ----------------------
const signing = [1, 10].map((perRecord) => signingCost(events, perRecord));

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const result = {
  dynamodb: dynamodb.name,
  events: EVENTS,
  batches: batches.length,
  duplicates,
  writesPerEvent: round(oursWrites / EVENTS, 4),
  baselineWritesPerEvent: round(baselineWrites / EVENTS, 4),
  writeUnitsPerEvent: round(oursUnits.write / EVENTS, 4),
  baselineWriteUnitsPerEvent: round(baselineUnits.write / EVENTS, 4),
  readUnitsPerEvent: round(oursUnits.read / EVENTS, 4),
  baselineReadUnitsPerEvent: round(baselineUnits.read / EVENTS, 4),
  eventsPerStorePerBatch: round(eventsPerStorePerBatch, 2),
  eventsPerSec: Math.round(EVENTS / oursSeconds),
  baselineEventsPerSec: Math.round(EVENTS / baselineSeconds),
  cpuMsPer1000Events: round(((cpu.user + cpu.system) / 1000 / EVENTS) * 1000, 1),
  baselineCpuMsPer1000Events: round(baselineCpuMsPer1000, 1),
  largestRollupItemKb: round(largestRollupBytes / 1024, 1),
  largestHomeItemKb: round(largestHomeBytes / 1024, 1),
  aggregateBytesPerEvent: round(aggregateBytes / EVENTS, 1),
  homeBytesPerEvent: round(homeBytes / EVENTS, 1),
  signing,
  identical,
  amplification,
  // Per operation (requests, items, units, refused conditions): where the figures above come from.
  byOperation: { ours: oursByOperation, baseline: baselineByOperation },
};
console.log(`${''.padEnd(24)}${'processor'.padEnd(16)}baseline (idempotency + write per event)`);
console.log(
  `${'writes per event'.padEnd(24)}${String(result.writesPerEvent).padEnd(16)}${result.baselineWritesPerEvent}`,
);
console.log(
  `${'write units per event'.padEnd(24)}${String(result.writeUnitsPerEvent).padEnd(16)}${result.baselineWriteUnitsPerEvent}`,
);
console.log(
  `${'read units per event'.padEnd(24)}${String(result.readUnitsPerEvent).padEnd(16)}${result.baselineReadUnitsPerEvent}`,
);
console.log(
  `${'events per second'.padEnd(24)}${String(result.eventsPerSec).padEnd(16)}${result.baselineEventsPerSec}`,
);
console.log(
  `${EVENTS} events in ${batches.length} batches of ${BATCH} (${duplicates} duplicates dropped); ${result.cpuMsPer1000Events} ms CPU per 1,000 events; ` +
    `${round(result.baselineWritesPerEvent / result.writesPerEvent, 1)}x fewer writes, ${round(result.eventsPerSec / result.baselineEventsPerSec, 1)}x the events/s; identical: ${identical}`,
);
for (const s of signing) {
  console.log(
    `signed records of ${s.eventsPerRecord} event(s): signing ${s.signMicrosPerRecord} µs a record (the sender); verifying ${s.verifyMicrosPerRecord} µs a record, ${s.verifyMicrosPerEvent} µs an event, beside ${s.decodeMicrosPerRecord} µs to decode it (the processor; ${s.records} records)`,
  );
}
console.log(`amplification: a batch of ${BATCH} records, median of ${ROUNDS} runs on fresh tables`);
for (const [name, a] of Object.entries(amplification)) {
  console.log(
    `  ${name.padEnd(58)}${String(a.ms).padStart(6)} ms  ${a.counted} counted, ${a.deadLetterItems} dead-letter items${a.recordBytes === undefined ? '' : ` (record: ${a.recordBytes} bytes)`}`,
  );
}
console.log(JSON.stringify(result));
process.exit(identical ? 0 : 1);
