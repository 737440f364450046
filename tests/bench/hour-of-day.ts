/**
 * `npm run bench:hour-of-day`: what the hour-of-day table costs to read. Seeds one store-month
 * of store slots and a region of stores (slots and the region day rollups that rank them) into
 * the embedded DynamoDB, at the fleet's shape (a 40-lane store, one event per lane every two
 * minutes over its open hours: about 150 detections and their outcomes per 15-minute slot, the
 * slot's join state and per-lane seq intervals packed as the processor packs them), then asks
 * `/v1/hour-of-day` through the local HTTP server for the store's month and for the region,
 * and reports the read units and items the answers say they read (DynamoDB's consumed
 * capacity) and their p50/p99 latency. Prints a table and a last JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DETECTION_CATEGORIES } from '#contract';
import { seededRandom } from '../../edge-client/src/simulator/random.js';
import { putAll } from '../../functions/adapters/batch-write.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { packHomeState } from '../../functions/adapters/home-codec.js';
import type { Item } from '../../functions/adapters/item-codec.js';
import {
  homeItemKey,
  REGION_ROLLUP_SHARDS,
  regionDayPk,
  SLOT_MINUTES,
  shardOf,
} from '../../functions/domain/aggregate-keys.js';
import { addDays, eachDate } from '../../functions/domain/calendar.js';
import { addCounters, type Counters, StoreCounters } from '../../functions/domain/counters.js';
import { SeqIntervals } from '../../functions/domain/seq-intervals.js';
import { encodeSnapshot } from '../../functions/domain/snapshots.js';
import { TABLES } from '../../functions/shared/resources.js';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'ERROR';

const { values } = parseArgs({
  options: {
    'region-stores': { type: 'string', default: '30' },
    'region-days': { type: 'string', default: '7' },
    lanes: { type: 'string', default: '40' },
    'detections-per-slot': { type: 'string', default: '150' },
    requests: { type: 'string', default: '10' },
  },
});
const REGION_STORES = Number(values['region-stores']);
const REGION_DAYS = Number(values['region-days']);
const LANES = Number(values.lanes);
const PER_SLOT = Number(values['detections-per-slot']);
const REQUESTS = Number(values.requests);
const MONTH = { from: '2026-10-01', to: '2026-10-31' };
const WEEK = { from: addDays(MONTH.to, -(REGION_DAYS - 1)), to: MONTH.to };
const REGION = 'us-east';
/** Open 08:00..22:00 local: 56 slots a day with activity, the others absent as in the table. */
const OPEN_HOURS = { first: 8, last: 21 };

const random = seededRandom(23);
let seq = 0;

/** One open slot: its counters and the packed state the processor would have written. */
function slotItem(
  storeId: string,
  date: string,
  slot: string,
  busy: number,
): { item: Item; counters: Counters } {
  const counters: Counters = {};
  const joins = new Map<string, string>();
  const seen = new Map<string, SeqIntervals>();
  const detections = Math.max(1, Math.round(PER_SLOT * busy * (0.5 + random())));
  for (let i = 0; i < detections; i++) {
    const category = DETECTION_CATEGORIES[
      Math.floor(random() * DETECTION_CATEGORIES.length)
    ] as (typeof DETECTION_CATEGORIES)[number];
    const estimate = 200 + Math.floor(random() * 6_000);
    const outcome = random() < 0.7 ? (random() < 0.75 ? 'recovered' : 'false_positive') : '';
    const recovered = outcome === 'recovered' ? estimate : 0;
    addCounters(counters, {
      [StoreCounters.detections]: 1,
      [StoreCounters.detectionsOf(category)]: 1,
      [StoreCounters.lossDetectedCents]: estimate,
      ...(outcome !== '' && { [StoreCounters.outcomes]: 1, [`outcomes_${outcome}`]: 1 }),
      ...(recovered > 0 && { [StoreCounters.lossPreventedCents]: recovered }),
    });
    const detectionId = `01J${String(seq++).padStart(23, '0')}`;
    joins.set(detectionId, `${estimate}|${outcome}|${outcome === '' ? '' : recovered}`);
    const lane = `panel-${storeId}-lane-${String(1 + (i % LANES)).padStart(2, '0')}`;
    const intervals = seen.get(lane) ?? SeqIntervals.empty();
    intervals.add(1_000 + seq);
    if (outcome !== '') intervals.add(1_000_000 + seq);
    seen.set(lane, intervals);
  }
  const key = homeItemKey({ kind: 'store-slot', storeId, date, slot });
  const item: Item = {
    pk: { S: key.pk },
    sk: { S: key.sk },
    kind: { S: 'store-slot' },
    version: { N: '1' },
    storeId: { S: storeId },
    date: { S: date },
    slot: { S: slot },
    packed: packHomeState({ seen, joins, counters, lastDelta: counters }),
    updatedAt: { S: new Date().toISOString() },
    region: { S: REGION },
  };
  return { item, counters };
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-hour-of-day-'));
const stack = await startEmbeddedStack({
  dataDir,
  ports: { api: 0, kinesis: 0, dynamodb: 0 },
  apiThrottle: {
    stage: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
    perCaller: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
  },
});
const table = TABLES.aggregates.localName;
const stores = Array.from({ length: REGION_STORES }, (_, i) => ({
  storeId: `store-${String(i + 1).padStart(4, '0')}`,
  region: REGION,
  timeZone: 'America/New_York',
  // Busiest first, so the ranking has something to decide.
  busy: 1 - i / (REGION_STORES * 2),
}));
await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
  stores: stores.map(({ busy: _busy, ...info }) => info),
});
const slotsOfDay = Array.from({ length: (24 * 60) / SLOT_MINUTES }, (_, k) => {
  const minutes = k * SLOT_MINUTES;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}).filter((s) => {
  const hour = Number(s.slice(0, 2));
  return hour >= OPEN_HOURS.first && hour <= OPEN_HOURS.last;
});

console.error(
  `seeding a store-month and ${REGION_STORES} stores x ${REGION_DAYS} days of slots...`,
);
const seedStarted = performance.now();
let slotItems = 0;
let slotBytes = 0;
for (const [index, store] of stores.entries()) {
  const dates = eachDate(index === 0 ? MONTH.from : WEEK.from, MONTH.to);
  for (const date of dates) {
    const slots = slotsOfDay.map((slot) => slotItem(store.storeId, date, slot, store.busy));
    const items = slots.map((s) => s.item);
    const day: Counters = {};
    for (const { item, counters } of slots) {
      slotBytes += item.packed?.B?.length ?? 0;
      addCounters(day, counters);
    }
    slotItems += items.length;
    // The region day rollup's entry for this store (what ranks the region's stores).
    const rollupPk = regionDayPk(REGION, shardOf(store.storeId, REGION_ROLLUP_SHARDS));
    const rollup: Item = { pk: { S: rollupPk }, sk: { S: date }, kind: { S: 'rollup' } };
    rollup[`v:${store.storeId}`] = { N: '1' };
    rollup[`s:${store.storeId}`] = { S: encodeSnapshot('store', day) };
    await putAll(stack.dynamodb, table, items);
    await mergeRollup(rollup, day);
  }
}

/** Adds one store's day to its region rollup item (read, merge, put: the bench is alone). */
async function mergeRollup(entry: Item, day: Counters) {
  const existing = (
    await stack.dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: entry.pk as never, sk: entry.sk as never },
      }),
    )
  ).Item;
  const merged: Item = { ...(existing ?? {}), ...entry };
  for (const [k, v] of Object.entries(day)) {
    merged[k] = { N: String(Number(existing?.[k]?.N ?? 0) + v) };
  }
  merged.rev = { N: String(Number(existing?.rev?.N ?? 0) + 1) };
  await putAll(stack.dynamodb, table, [merged]);
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const token = await stack.issuer.sign({ sub: 'bench', 'custom:role': 'leadership' }, 3_600);
interface Answer {
  cost: { itemsRead: number; readUnits: number; queries: number };
  stores: string[];
  truncated: boolean;
  hours: { detections: number }[];
}
async function measure(query: Record<string, string>) {
  const path = `/v1/hour-of-day?${new URLSearchParams(query)}`;
  const latencies: number[] = [];
  let body: Answer | undefined;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(`${stack.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const json = (await res.json()) as Answer;
    latencies.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    body = json;
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[
      Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)
    ] as number;
  const answer = body as Answer;
  return {
    path,
    p50Ms: Math.round(pct(50)),
    p99Ms: Math.round(pct(99)),
    ...answer.cost,
    storesRead: answer.stores.length,
    truncated: answer.truncated,
    detections: answer.hours.reduce((a, h) => a + h.detections, 0),
  };
}

console.error('measuring /v1/hour-of-day...');
const results = {
  storeMonth: await measure({ ...MONTH, storeId: 'store-0001' }),
  regionWeek: await measure({ ...WEEK, region: REGION }),
  regionMonth: await measure({ ...MONTH, region: REGION }),
};
await stack.stop();
rmSync(dataDir, { recursive: true, force: true });

console.log('| query | p50 | p99 | items read | read units | queries | stores read |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  console.log(
    `| ${name} \`${r.path}\` | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.itemsRead} | ${r.readUnits} | ${r.queries} | ${r.storesRead}${r.truncated ? ' (truncated)' : ''} |`,
  );
}
console.log(
  JSON.stringify({
    bench: 'hour-of-day',
    seeded: {
      slotItems,
      meanPackedBytes: Math.round(slotBytes / slotItems),
      seedSeconds: Math.round(seedSeconds),
      regionStores: REGION_STORES,
      regionDays: REGION_DAYS,
      detectionsPerSlot: PER_SLOT,
      lanes: LANES,
    },
    ...results,
  }),
);
