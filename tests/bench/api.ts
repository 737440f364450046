/**
 * `npm run bench:api`: loads 500 stores x 400 days of aggregates into the embedded DynamoDB,
 * then measures the impact API through the local HTTP server (p50/p99 of `/v1/impact` for 90
 * days and a year, and of the leaderboard), against a baseline that computes the same
 * organisation totals by scanning the store-day items. Prints a table and a last JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DETECTION_CATEGORIES } from '#contract';
import { seededRandom } from '../../edge-client/src/simulator/random.js';
import { putAll } from '../../functions/adapters/batch-write.js';
import { countersOf, type Item } from '../../functions/adapters/item-codec.js';
import {
  ORG_ROLLUP_SHARDS,
  orgDayPk,
  REGION_ROLLUP_SHARDS,
  regionDayPk,
  shardOf,
  summaryItemKey,
  totalsKeyOf,
} from '../../functions/domain/aggregate-keys.js';
import { addDays, eachDate } from '../../functions/domain/calendar.js';
import { addCounters, type Counters, StoreCounters } from '../../functions/domain/counters.js';
import { shrinkFigures } from '../../functions/domain/impact-report.js';
import { encodeSnapshot } from '../../functions/domain/snapshots.js';
import { TABLES } from '../../functions/shared/resources.js';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { itemBytes } from '../helpers/local-dynamodb.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'ERROR';

const { values } = parseArgs({
  options: {
    stores: { type: 'string', default: '500' },
    days: { type: 'string', default: '400' },
    requests: { type: 'string', default: '40' },
    'baseline-requests': { type: 'string', default: '3' },
  },
});
const STORES = Number(values.stores);
const DAYS = Number(values.days);
const REQUESTS = Number(values.requests);
const LAST_DAY = '2026-11-28';
const FIRST_DAY = addDays(LAST_DAY, -(DAYS - 1));
const REGIONS = ['us-east', 'us-central', 'us-west', 'uk', 'de'];

// ---- a deterministic aggregate data set, with rollups consistent with the store days --------
const random = seededRandom(17);
function storeDayCounters(): Counters {
  const c: Counters = {};
  const detections = 1 + Math.floor(random() * 20);
  c[StoreCounters.detections] = detections;
  for (let i = 0; i < detections; i++) {
    const category = DETECTION_CATEGORIES[
      Math.floor(random() * DETECTION_CATEGORIES.length)
    ] as (typeof DETECTION_CATEGORIES)[number];
    c[StoreCounters.detectionsOf(category)] = (c[StoreCounters.detectionsOf(category)] ?? 0) + 1;
  }
  const lossDetected = detections * (500 + Math.floor(random() * 5_000));
  c[StoreCounters.lossDetectedCents] = lossDetected;
  const outcomes = Math.floor(detections * 0.7);
  const fp = Math.floor(outcomes * 0.25);
  c[StoreCounters.outcomes] = outcomes;
  c[StoreCounters.outcomesOf('false_positive')] = fp;
  c[StoreCounters.outcomesOf('recovered')] = outcomes - fp;
  c[StoreCounters.lossPreventedCents] = Math.floor(lossDetected * 0.4);
  c[StoreCounters.confirmedLossCents] = Math.floor(lossDetected * 0.2);
  return c;
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-api-'));
const stack = await startEmbeddedStack({
  dataDir,
  ports: { api: 0, kinesis: 0, dynamodb: 0 },
  apiThrottle: {
    stage: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
    perCaller: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
  },
});
const table = TABLES.aggregates.localName;
const dates = eachDate(FIRST_DAY, LAST_DAY);
const stores = Array.from({ length: STORES }, (_, i) => ({
  storeId: `store-${String(i + 1).padStart(5, '0')}`,
  region: REGIONS[i % REGIONS.length] as string,
}));

console.error(`loading ${STORES} stores x ${DAYS} days of aggregates...`);
const loadStarted = performance.now();
const orgTotals: Counters = {};
for (const date of dates) {
  const homes: Item[] = [];
  const rollups = new Map<string, Item>();
  for (const { storeId, region } of stores) {
    const counters = storeDayCounters();
    addCounters(orgTotals, counters);
    const key = summaryItemKey({ kind: 'store-day', storeId, date });
    const item: Item = {
      pk: { S: key.pk },
      sk: { S: key.sk },
      kind: { S: 'store-day' },
      storeId: { S: storeId },
      date: { S: date },
      region: { S: region },
      version: { N: '1' },
    };
    for (const [k, v] of Object.entries(counters)) item[k] = { N: String(v) };
    homes.push(item);
    for (const pk of [
      orgDayPk(shardOf(storeId, ORG_ROLLUP_SHARDS)),
      regionDayPk(region, shardOf(storeId, REGION_ROLLUP_SHARDS)),
    ]) {
      const rollup = rollups.get(pk) ?? { pk: { S: pk }, sk: { S: date }, kind: { S: 'rollup' } };
      for (const [k, v] of Object.entries(counters))
        rollup[k] = { N: String(Number(rollup[k]?.N ?? 0) + v) };
      rollup[`v:${storeId}`] = { N: '1' };
      rollup[`s:${storeId}`] = { S: encodeSnapshot('store', counters) };
      rollup.rev = { N: '1' };
      rollups.set(pk, rollup);
    }
  }
  // Each rollup's totals copy, as the processor keeps it (aggregate-keys.ts, totalsKeyOf).
  const copies = [...rollups.values()].map((rollup) => {
    const key = totalsKeyOf({ pk: rollup.pk?.S ?? '', sk: rollup.sk?.S ?? '' });
    if (key === undefined) throw new Error('a day rollup has a totals copy');
    const copy: Item = { pk: { S: key.pk }, sk: { S: key.sk }, kind: { S: 'rollup-totals' } };
    copy.rev = { N: '1' };
    for (const [k, v] of Object.entries(countersOf(rollup))) copy[k] = { N: String(v) };
    return copy;
  });
  await putAll(stack.dynamodb, table, [...homes, ...rollups.values(), ...copies]);
}
const loadSeconds = (performance.now() - loadStarted) / 1000;

// ---- count the items the API's own DynamoDB client reads ----------------------------------
const { dynamodb: apiClient } = await import('../../functions/adapters/dynamodb-client.js');
let itemsRead = 0;
/**
 * Read request units as DynamoDB bills the API's eventually consistent reads: per Query page
 * the returned items' sizes summed and rounded up to 4 KB, half a unit per 4 KB; per GetItem
 * the item's size the same way.
 */
let readUnits = 0;
apiClient.middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    const output = (result.output ?? {}) as {
      ScannedCount?: number;
      Item?: Item;
      Items?: Item[];
    };
    itemsRead += output.ScannedCount ?? (output.Item === undefined ? 0 : 1);
    const bytes = [...(output.Items ?? []), ...(output.Item === undefined ? [] : [output.Item])]
      .map(itemBytes)
      .reduce((a, b) => a + b, 0);
    readUnits += Math.max(1, Math.ceil(bytes / 4096)) * 0.5;
    return result;
  },
  { step: 'initialize', name: 'countItemsRead' },
);

const token = await stack.issuer.sign({ sub: 'bench', 'custom:role': 'leadership' }, 3_600);
async function measure(path: string, n: number) {
  const latencies: number[] = [];
  let reads = 0;
  let units = 0;
  let body: unknown;
  for (let i = 0; i < n; i++) {
    itemsRead = 0;
    readUnits = 0;
    const started = performance.now();
    const res = await fetch(`${stack.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    body = await res.json();
    latencies.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    reads = itemsRead;
    units = readUnits;
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[
      Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)
    ] as number;
  return { p50: pct(50), p99: pct(99), itemsRead: reads, readUnits: units, body };
}

const yearFrom = addDays(LAST_DAY, -364);
const quarterFrom = addDays(LAST_DAY, -89);
console.error('measuring the API...');
const quarter = await measure(`/v1/impact?from=${quarterFrom}&to=${LAST_DAY}`, REQUESTS);
const year = await measure(`/v1/impact?from=${yearFrom}&to=${LAST_DAY}`, REQUESTS);
const leaderboard = await measure(
  `/v1/stores?from=${quarterFrom}&to=${LAST_DAY}&sort=lossPrevented&limit=20`,
  REQUESTS,
);

// ---- the baseline: scan the store-day items and sum them -----------------------------------
console.error('measuring the scanning baseline...');
const baselineLatencies: number[] = [];
let baselineItems = 0;
let baselineTotals: Counters = {};
for (let i = 0; i < Number(values['baseline-requests']); i++) {
  const started = performance.now();
  baselineItems = 0;
  baselineTotals = {};
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.dynamodb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :store) AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':store': { S: 'STORE#' },
          ':from': { S: `DAY#${yearFrom}` },
          ':to': { S: `DAY#${LAST_DAY}` },
        },
        ExclusiveStartKey: start,
      }),
    );
    baselineItems += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) addCounters(baselineTotals, countersOf(item));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  baselineLatencies.push(performance.now() - started);
}
baselineLatencies.sort((a, b) => a - b);

await stack.stop();
rmSync(dataDir, { recursive: true, force: true });

const yearShrink = (year.body as { shrink: ReturnType<typeof shrinkFigures> }).shrink;
const identical = JSON.stringify(yearShrink) === JSON.stringify(shrinkFigures(baselineTotals));
const round = (n: number) => Math.round(n * 10) / 10;
const result = {
  stores: STORES,
  days: DAYS,
  storeDayItems: STORES * DAYS,
  impactP50Ms: round(year.p50),
  impactP99Ms: round(year.p99),
  impact90dP50Ms: round(quarter.p50),
  impact90dP99Ms: round(quarter.p99),
  leaderboardP50Ms: round(leaderboard.p50),
  leaderboardP99Ms: round(leaderboard.p99),
  baselineP50Ms: round(baselineLatencies[Math.floor(baselineLatencies.length / 2)] as number),
  itemsReadPerQuery: year.itemsRead,
  itemsReadPerQuery90d: quarter.itemsRead,
  itemsReadPerLeaderboard: leaderboard.itemsRead,
  readUnitsPerQuery: year.readUnits,
  readUnitsPerQuery90d: quarter.readUnits,
  readUnitsPerLeaderboard: leaderboard.readUnits,
  baselineItemsReadPerQuery: baselineItems,
  itemsReadRatio: round(baselineItems / year.itemsRead),
  identical,
  loadSeconds: round(loadSeconds),
};
const rows: string[][] = [
  ['query', 'p50 ms', 'p99 ms', 'items read', 'read units'],
  [
    '/v1/impact, 90 days',
    String(result.impact90dP50Ms),
    String(result.impact90dP99Ms),
    String(result.itemsReadPerQuery90d),
    String(result.readUnitsPerQuery90d),
  ],
  [
    '/v1/impact, 365 days',
    String(result.impactP50Ms),
    String(result.impactP99Ms),
    String(result.itemsReadPerQuery),
    String(result.readUnitsPerQuery),
  ],
  [
    '/v1/stores leaderboard, 90 days',
    String(result.leaderboardP50Ms),
    String(result.leaderboardP99Ms),
    String(result.itemsReadPerLeaderboard),
    String(result.readUnitsPerLeaderboard),
  ],
  [
    'baseline: scan store days, 365 days',
    String(result.baselineP50Ms),
    '',
    String(result.baselineItemsReadPerQuery),
    '',
  ],
];
for (const row of rows) console.log(row.map((c, i) => c.padEnd(i === 0 ? 38 : 12)).join(''));
console.log(
  `organisation-wide year: ${result.itemsReadRatio}x fewer items read than the scan, ${round(result.baselineP50Ms / result.impactP50Ms)}x faster at p50; totals identical: ${identical}`,
);
console.log(JSON.stringify(result));
process.exit(identical ? 0 : 1);
