/**
 * `npm run bench:fleet`: one Kinesis shard's share of the reference fleet (10,500 stores x 40
 * lanes x 30 events per lane-hour, `npm run plan`), run in real time through the real edge
 * topology, the real event-source settings, the deployed processor and the impact API on the
 * embedded stack. Each profile (fleet-profiles.ts) runs in turn on fresh emulators, baseline
 * first, with the same seeded fleet, and is measured the same way: events per record, billed
 * Kinesis and Firehose bytes, DynamoDB reads, writes and units, processor CPU, freshness at
 * the API, and whether the API's totals equal the simulator's ground truth. Every device also
 * sends its own status as its daemon does, every 10 minutes when it has no news (its first
 * at once; fleet health: not an event, never in the per-event denominators), and the run states what statuses add to the records and
 * what fleet health costs in write units. Prints a table and, last, one JSON line.
 *
 *   npm run bench:fleet -- [--minutes 10] [--stores 1170] [--profile baseline,...]
 *   npm run bench:fleet -- --minutes 1 --stores 100          (a quick check)
 *   npm run bench:fleet -- --minutes 1 --stores 50 --dynamodb local   (units by DynamoDB Local)
 *   npm run bench:fleet -- --minutes 5 --stores 100 --shard-stores 1170
 *                                   (batches sized as the full share's would fill; see SHARD_STORES)
 *   npm run bench:fleet -- --fleet-shards 1   (rollups hold only the run's stores; see FLEET_SHARDS)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TelemetryEvent } from '#contract';
import {
  createKinesisClient,
  DEVICE_STATUS_HEARTBEAT_MS,
  DEVICE_STATUS_INTERVAL_MS,
  sleep,
} from '#edge-client';
import {
  defineFleet,
  FleetSimulator,
  type SimFleet,
  STATUS_LAG_MS,
  StatusSchedule,
  seededRandom,
} from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { LAMBDA_PAYLOAD_CAP_BYTES } from '../../infra/local/event-source-poller.js';
import { LocalSigners } from '../../infra/local/local-signers.js';
import { registerFleet } from '../../infra/local/local-simulation.js';
import { itemBytes } from '../helpers/local-dynamodb.js';
import {
  type CapacityCount,
  emptyCount,
  FLEET_HEALTH_KINDS,
  READ_OPERATIONS,
  WRITE_OPERATIONS,
} from './capacity-counter.js';
import { COUNTS_PATH, MARK_PATH, WRITES_BY_ITEM_PATH } from './capacity-proxy.js';
import { startKinesaliteProcess, startPortProcess } from './dynalite-process.js';
import { DYNAMODB_OPTION, parseDynamoDbChoice, startDynamoDb } from './dynamodb-emulator.js';
import { quietHealthWrites } from './fleet-health-quiet.js';
import {
  type ApiTotals,
  compareToTruth,
  type FleetHealthWindow,
  fleetHealthCost,
  freshness,
  percentile,
  steadyKinesis,
  type VisibilityProbe,
  visibleEvents,
} from './fleet-metrics.js';
import {
  type FleetProfile,
  type ProfileName,
  selectProfiles,
  slowMotion,
} from './fleet-profiles.js';
import { seedOtherStores } from './fleet-rollups.js';
import type { FleetStackConfig, FleetStackReport, MarkMessage } from './fleet-stack.js';
import { openStoreFloor } from './lane-topology.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'baseline' },
    minutes: { type: 'string', default: '10' },
    stores: { type: 'string', default: '1170' },
    lanes: { type: 'string', default: '40' },
    'events-per-lane-hour': { type: 'string', default: '30' },
    'rate-factor': { type: 'string', default: '1' },
    'incident-share': { type: 'string', default: '0.000003' },
    'probe-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '19' },
    slow: { type: 'string', default: '1' },
    // dynalite, local (Amazon's DynamoDB Local) or a URL: dynamodb-emulator.ts.
    dynamodb: DYNAMODB_OPTION,
    'shard-stores': { type: 'string' },
    'fleet-shards': { type: 'string', default: '9' },
  },
});
const number = (name: keyof typeof values, min: number) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
};
const MINUTES = number('minutes', 0.05);
const STORES = Math.round(number('stores', 1));
const LANES = Math.round(number('lanes', 1));
const EVENTS_PER_LANE_HOUR = number('events-per-lane-hour', 0.001);
const RATE_FACTOR = number('rate-factor', 0.01);
const INCIDENT_SHARE = number('incident-share', 0);
const PROBE_MS = number('probe-ms', 100);
const SEED = Math.round(number('seed', 0));
/**
 * Slow motion (fleet-profiles.ts, slowMotion): rates divided by SLOW and every interval that
 * shapes records and batches multiplied by it, for a machine that cannot run the fleet's pace
 * through per-lane clients and the emulators. Minutes and rates are the fleet's; wall time is
 * SLOW times longer.
 */
const SLOW = number('slow', 1);
/**
 * The stores whose share of the stream the event source's batches are sized for (default
 * --stores). A smaller share run with --shard-stores set to the full share's (1,170) has its
 * batch size and its 6 MB payload cap scaled down by stores / shard-stores: batches then fill
 * in the same time and hold the same events per store as the full share's would, on a machine
 * that cannot run the full share in real time. The processor's time per batch is the smaller
 * batch's.
 */
const SHARD_STORES = values['shard-stores'] === undefined ? STORES : number('shard-stores', 1);
const EVENT_SOURCE_SCALE = STORES / SHARD_STORES;
/**
 * The run stands for one of this many Kinesis shards whose stores feed the same rollup items
 * (the reference fleet: 9). Before each profile, fleet-rollups.ts writes the other shards'
 * stores into those items, so rollup writes are billed at the fleet's item sizes. 1 = only the
 * run's own stores, as before this option.
 */
const FLEET_SHARDS = Math.round(number('fleet-shards', 1));
/** Fleet-wide events per second: the stores' lanes at their per-lane rate. */
const RATE = (STORES * LANES * EVENTS_PER_LANE_HOUR * RATE_FACTOR) / 3600;
/**
 * An associate resolves an alert this long after the detection (uniform): the outcome is sent
 * then, by the same lane. The simulator emits an outcome a few events after its detection,
 * which at a fleet's pace would put both in one linger window, as no real lane does.
 */
const RESOLVE_MS: [number, number] = [10_000, 90_000];
const TICK_MS = 100;
const profiles = selectProfiles(values.profile);
const DYNAMODB = parseDynamoDbChoice(values.dynamodb);
// Each profile starts on an empty DynamoDB; one given by URL is not restarted between them.
if (DYNAMODB.includes('://') && profiles.length > 1)
  throw new Error('--dynamodb <URL> runs one profile (baseline): the tables must start empty');

const HERE = fileURLToPath(new URL('.', import.meta.url));
const scratch = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-fleet-'));
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) c.kill();
};
process.on('exit', () => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
/**
 * The fleet's signing keys, derived from a seed in the run's scratch folder: every device and
 * gateway is registered with its key, and every record put is signed, so the processor runs as
 * deployed (UNSIGNED_RECORDS=refuse, fleet-stack.ts).
 */
const signers = LocalSigners.open(join(scratch, 'signing-seed'));

interface StackHandle {
  child: ChildProcess;
  apiUrl: string;
  token: string;
  /** From `at` (epoch ms) on, the stack marks the proxy's counts before its next batch. */
  mark(at: number): void;
  stop(): Promise<FleetStackReport>;
}

async function startStack(config: FleetStackConfig): Promise<StackHandle> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(HERE, 'fleet-stack.ts'), JSON.stringify(config)],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: process.env },
  );
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  const ready = await new Promise<{ apiUrl: string; token: string }>((resolve, reject) => {
    child.on('message', (m: { type: string; apiUrl: string; token: string }) => {
      if (m.type === 'ready') resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`stack exited (${code}):\n${stderr}`)));
  });
  return {
    child,
    ...ready,
    mark: (at) => child.send({ type: 'mark', at } satisfies MarkMessage),
    stop: () =>
      new Promise((resolve) => {
        child.on('message', (m: { type: string; report: FleetStackReport }) => {
          if (m.type === 'report') resolve(m.report);
        });
        child.send({ type: 'stop' });
      }),
  };
}

async function impact(stack: StackHandle): Promise<ApiTotals> {
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const res = await fetch(`${stack.apiUrl}/v1/impact?from=${day(-30)}&to=${day(2)}`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  if (res.status !== 200) throw new Error(`impact API answered ${res.status}`);
  return (await res.json()) as ApiTotals;
}

async function register(endpoint: string, fleet: SimFleet) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await registerFleet(client, fleet, TABLES.registry.localName, signers);
  client.destroy();
}

/**
 * The user records the processor dead-lettered, by reason (each letter's `count`): a run whose
 * writers all sign and send only valid events has none. Read from DynamoDB directly, not
 * through the counting proxy, after the run.
 */
async function deadLettersByReason(endpoint: string): Promise<Record<string, number>> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const byReason: Record<string, number> = {};
  let start: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({ TableName: TABLES.deadLetters.localName, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const reason = item.reason?.S ?? '?';
        byReason[reason] = (byReason[reason] ?? 0) + Number(item.count?.N ?? 1);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
  return byReason;
}

/**
 * What one write of a store's fleet health item and its coverage summary costs once the item
 * holds every device that reports (`devicesOf` its store): each item as the run left it, its
 * size scaled up by the devices it does not hold yet (a run shorter than a status interval has
 * not heard them all), rounded up to the KB (DynamoDB bills a write by the larger of the item
 * before and after), averaged over the stores. Read from DynamoDB directly, after the run.
 */
async function fleetHealthUnitsPerWrite(
  endpoint: string,
  devicesOf: ReadonlyMap<string, number>,
): Promise<number> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let items = 0;
  let units = 0;
  let start: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: TABLES.aggregates.localName,
          FilterExpression: 'begins_with(pk, :fleet)',
          ExpressionAttributeValues: { ':fleet': { S: 'FLEET' } },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        let bytes = itemBytes(item);
        if (item.pk?.S?.startsWith('FLEET#')) {
          items++;
          const held = Object.keys(
            (JSON.parse(item.devices?.S ?? '{}') as { devices?: object }).devices ?? {},
          ).length;
          bytes *= Math.max(1, (devicesOf.get(item.storeId?.S ?? '') ?? 0) / Math.max(1, held));
        }
        units += Math.max(1, Math.ceil(bytes / 1024));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
  return units / Math.max(1, items);
}

/** Fleet health's writes in a set of counts per kind of item, and every write unit in it. */
function fleetHealthWindow(
  byItem: Record<string, CapacityCount>,
  handed: { readonly events: number; readonly statuses: number },
): FleetHealthWindow {
  const [health, coverage] = FLEET_HEALTH_KINDS.map((k) => byItem[k] ?? emptyCount()) as [
    CapacityCount,
    CapacityCount,
  ];
  return {
    healthWrites: health.writes,
    healthUnits: health.writeUnits,
    coverageUnits: coverage.writeUnits,
    allUnits: sum(Object.values(byItem).map((c) => c.writeUnits)),
    ...handed,
  };
}

/** `total` less `before`, per kind of item (the writes after a mark). */
function countsSince(
  total: Record<string, CapacityCount>,
  before: Record<string, CapacityCount>,
): Record<string, CapacityCount> {
  return Object.fromEntries(
    Object.entries(total).map(([kind, c]) => {
      const b = before[kind] ?? emptyCount();
      return [
        kind,
        {
          writes: c.writes - b.writes,
          reads: c.reads - b.reads,
          writeUnits: c.writeUnits - b.writeUnits,
          readUnits: c.readUnits - b.readUnits,
          requests: c.requests - b.requests,
        },
      ];
    }),
  );
}

/** The processor's share of the DynamoDB counts: the API reads by Query and GetItem only. */
function processorCounts(counts: Record<string, CapacityCount>) {
  const api = new Set(['Query', 'GetItem']);
  const out = { writes: 0, reads: 0, writeUnits: 0, readUnits: 0, apiReadUnits: 0 };
  for (const [operation, c] of Object.entries(counts)) {
    if (api.has(operation)) {
      out.apiReadUnits += c.readUnits;
      continue;
    }
    if (WRITE_OPERATIONS.has(operation) || READ_OPERATIONS.has(operation)) {
      out.writes += c.writes;
      out.reads += c.reads;
      out.writeUnits += c.writeUnits;
      out.readUnits += c.readUnits;
    }
  }
  return out;
}

async function runProfile(name: ProfileName, asNamed: FleetProfile) {
  const profile = slowMotion(asNamed, SLOW);
  const dir = join(scratch, name);
  const [kinesalite, dynamodb] = await Promise.all([
    startKinesaliteProcess(),
    startDynamoDb(DYNAMODB),
  ]);
  children.add(kinesalite.child);
  if (dynamodb.child !== undefined) children.add(dynamodb.child);
  const proxy = await startPortProcess([
    '--import',
    'tsx',
    join(HERE, 'capacity-proxy.ts'),
    dynamodb.endpoint,
  ]);
  children.add(proxy.child);
  const stack = await startStack({
    dataDir: join(dir, 'stack'),
    kinesisEndpoint: kinesalite.endpoint,
    dynamodbEndpoint: dynamodb.endpoint,
    handlerDynamodbEndpoint: proxy.endpoint,
    eventSource: {
      ...profile.eventSource,
      pollIntervalMs: 250 * SLOW,
      ...(EVENT_SOURCE_SCALE !== 1 && {
        batchSize: Math.max(1, Math.round(profile.eventSource.batchSize * EVENT_SOURCE_SCALE)),
        maxPayloadBytes: Math.round(LAMBDA_PAYLOAD_CAP_BYTES * EVENT_SOURCE_SCALE),
      }),
    },
  });
  const fleet = defineFleet({ stores: STORES, lanesPerStore: LANES, seed: SEED });
  console.error(`[${name}] registering ${fleet.panels.length} lanes of ${STORES} stores...`);
  await register(dynamodb.endpoint, fleet);
  const seeded = await seedOtherStores({
    endpoint: dynamodb.endpoint,
    table: TABLES.aggregates.localName,
    runStores: STORES,
    fleetShards: FLEET_SHARDS,
    regions: [...new Set(fleet.stores.map((s) => s.region))],
    dates: [-1, 0, 1].map((d) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10)),
  });
  if (seeded > 0)
    console.error(
      `[${name}] rollups seeded with ${seeded} stores of the other ${FLEET_SHARDS - 1} shards`,
    );
  const simulator = new FleetSimulator({
    fleet,
    seed: SEED,
    baselines: DEFAULT_BASELINES,
    resendRate: 0,
    incidentShare: INCIDENT_SHARE,
  });
  const acceptedAt: number[] = [];
  const kinesis = createKinesisClient({
    endpoint: kinesalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const floor = await openStoreFloor(profile.edge, {
    kinesis,
    lanes: fleet.panels,
    streamName: TELEMETRY_STREAM.localName,
    dir: join(dir, 'lanes'),
    signers,
    onAccepted: (events, at) => {
      simulator.acknowledge(events);
      for (let i = 0; i < events.length; i++) acceptedAt.push(at);
    },
  });

  // Every device's own status on its daemon's cadence (every 5 minutes with news, every 10 on
  // its heartbeat without, stretched in slow motion),
  // the first at a seeded offset within the first interval, through the path its daemon's
  // takes (lane-topology.ts). Statuses are not events: never in `accepted` nor the truth.
  const statusSchedule = new StatusSchedule({
    devices: floor.statusSenders,
    intervalMs: DEVICE_STATUS_INTERVAL_MS * SLOW,
    heartbeatMs: DEVICE_STATUS_HEARTBEAT_MS * SLOW,
    seed: SEED,
  });
  // By then every device's first status has been put, batched and processed: the batches
  // after it write fleet health items that already hold every device.
  const warmUpMs =
    DEVICE_STATUS_INTERVAL_MS * SLOW +
    profile.edge.lingerMs +
    (profile.edge.kind === 'gateway' ? profile.edge.gatewayLingerMs : 0) +
    profile.eventSource.maxBatchingWindowMs +
    15_000 * SLOW;

  // Probe the API about once a second for as long as the profile runs.
  const probes: VisibilityProbe[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const t = Date.now();
      try {
        const visible = visibleEvents(await impact(stack));
        probes.push({ at: Date.now(), visible });
      } catch {
        // A probe that fails is a missing sample, not a failed run.
      }
      await sleep(Math.max(0, PROBE_MS * SLOW - (Date.now() - t)));
    }
  })();

  console.error(
    `[${name}] ${MINUTES} min at ${RATE.toFixed(1)} events/s (${fleet.panels.length} lanes, ${profile.description})`,
  );
  // Detections go out when they happen; an outcome when its alert is resolved, RESOLVE_MS
  // later (or, for the simulator's outcomes reported first, its detection goes out late).
  const random = mulberry(SEED);
  const due = new Map<number, TelemetryEvent[]>();
  const generated = new Set<string>();
  const lateDetections = new Set<string>();
  const later = (tick: number, e: TelemetryEvent) => {
    const at =
      tick +
      Math.round(((RESOLVE_MS[0] + random() * (RESOLVE_MS[1] - RESOLVE_MS[0])) * SLOW) / TICK_MS);
    due.set(at, [...(due.get(at) ?? []), e]);
  };
  const sends = new Set<Promise<void>>();
  const started = Date.now();
  stack.mark(started + warmUpMs);
  const durationMs = MINUTES * 60_000 * SLOW;
  let made = 0;
  const tickLagMs: number[] = [];
  const lanesCpu0 = process.cpuUsage();
  for (let tick = 0; Date.now() - started < durationMs; tick++) {
    tickLagMs.push(Date.now() - (started + tick * TICK_MS));
    const now = [...(due.get(tick) ?? [])];
    due.delete(tick);
    const count = Math.floor((RATE * (Date.now() - started)) / SLOW / 1000) - made;
    const fresh = count > 0 ? simulator.next(count) : [];
    made += fresh.length;
    for (const e of fresh) {
      if (e.type === 'detection') {
        generated.add(e.detectionId);
        if (lateDetections.delete(e.detectionId)) later(tick, e);
        else now.push(e);
      } else if (e.type === 'detection_outcome') {
        if (generated.delete(e.detectionId)) later(tick, e);
        else {
          lateDetections.add(e.detectionId);
          now.push(e);
        }
      } else now.push(e);
    }
    if (now.length > 0) {
      const p = floor.send(now).finally(() => sends.delete(p));
      sends.add(p);
    }
    for (const sender of statusSchedule.due(Date.now() - started)) {
      const p = floor.sendStatus(sender).finally(() => sends.delete(p));
      sends.add(p);
    }
    await sleep(Math.max(0, started + (tick + 1) * TICK_MS - Date.now()));
  }
  await Promise.all(sends);
  const intakeSeconds = (Date.now() - started) / 1000 / SLOW;
  const accepted = acceptedAt.length;
  console.error(`[${name}] ${accepted} events accepted; draining...`);
  const drained = await floor.drain(120_000);
  // Wait for the API to show every accepted event (or for it to stop moving for longer than a
  // batching window: the last batch may sit that long in the event source).
  const deadline = Date.now() + profile.eventSource.maxBatchingWindowMs + 180_000 * SLOW;
  const stillFor = Math.max(60_000 * SLOW, profile.eventSource.maxBatchingWindowMs + 30_000);
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const visible = probes.at(-1)?.visible ?? 0;
    if (visible >= accepted) break;
    if (visible !== last) {
      last = visible;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > stillFor) break;
    await sleep(500);
  }
  probing = false;
  await prober;
  const truthCheck = compareToTruth(simulator.truth(), await impact(stack));
  const edge = await floor.close();
  kinesis.destroy();
  const lanesCpu = process.cpuUsage(lanesCpu0);
  const processCpuSeconds = {
    lanes: round((lanesCpu.user + lanesCpu.system) / 1e6, 1),
    kinesalite: cpuSecondsOf(kinesalite.child),
    dynamodb: dynamodb.child === undefined ? Number.NaN : cpuSecondsOf(dynamodb.child),
    capacityProxy: cpuSecondsOf(proxy.child),
    stack: cpuSecondsOf(stack.child),
  };
  const report = await stack.stop();
  const counts = (await (await fetch(`${proxy.endpoint}${COUNTS_PATH}`)).json()) as Record<
    string,
    CapacityCount
  >;
  const writesByItem = (await (
    await fetch(`${proxy.endpoint}${WRITES_BY_ITEM_PATH}`)
  ).json()) as Record<string, CapacityCount>;
  const atMark = (await (await fetch(`${proxy.endpoint}${MARK_PATH}`)).json()) as Record<
    string,
    CapacityCount
  >;
  const deadLettered = await deadLettersByReason(dynamodb.endpoint);
  const devicesOf = new Map<string, number>();
  for (const { storeId } of floor.statusSenders)
    devicesOf.set(storeId, (devicesOf.get(storeId) ?? 0) + 1);
  const unitsPerHealthWrite = await fleetHealthUnitsPerWrite(dynamodb.endpoint, devicesOf);
  for (const c of [kinesalite.child, dynamodb.child, proxy.child, stack.child]) {
    if (c === undefined) continue;
    c.kill();
    children.delete(c);
  }

  const fresh = freshness(
    acceptedAt.sort((a, b) => a - b),
    probes,
  );
  // In the fleet's time: at SLOW > 1 the processor's own time is divided too (a lower bound).
  const delays = fresh.delaysMs.map((d) => d / SLOW).sort((a, b) => a - b);
  const invocationMs = [...report.invocationMs].sort((a, b) => a - b);
  const db = processorCounts(counts);
  const per = (x: number, d = 4) => round(x / accepted, d);
  const counted = report.userRecords - report.statusUserRecords;
  const fleetHealth = fleetHealthCost(
    fleetHealthWindow(writesByItem, {
      events: accepted,
      statuses: sum(report.batchStatuses),
    }),
    report.afterMark === undefined
      ? undefined
      : fleetHealthWindow(countsSince(writesByItem, atMark), report.afterMark),
    {
      // A quiet store: every device on its heartbeat (nothing new between two).
      statusesPerStorePerMinute:
        floor.statusSenders.length / STORES / (DEVICE_STATUS_HEARTBEAT_MS / 60_000),
      eventsPerStorePerMinute: (LANES * EVENTS_PER_LANE_HOUR * RATE_FACTOR) / 60,
      quietWritesPerStorePerMinute: quietHealthWrites({
        devices: floor.statusSenders.length / STORES,
        statusIntervalMs: DEVICE_STATUS_HEARTBEAT_MS,
        batchMs: profile.eventSource.maxBatchingWindowMs / SLOW,
        // One store's statuses are made together (its phase) and reach the stream spread by
        // the devices' lag and the edge's lingers.
        alignedWithinMs:
          STATUS_LAG_MS +
          (profile.edge.lingerMs +
            (profile.edge.kind === 'gateway' ? profile.edge.gatewayLingerMs : 0)) /
            SLOW,
        seed: SEED,
      }),
      unitsPerWrite: unitsPerHealthWrite,
    },
  );
  return {
    profile: name,
    dynamodb: dynamodb.name,
    minutes: MINUTES,
    slow: SLOW,
    stores: STORES,
    shardStores: SHARD_STORES,
    fleetShards: FLEET_SHARDS,
    lanes: fleet.panels.length,
    targetEventsPerSec: round(RATE, 1),
    eventsPerSec: round(accepted / intakeSeconds, 1),
    events: accepted,
    records: report.records,
    // Events that count per record: statuses are not events, their records are records.
    eventsPerRecord: round(counted / report.records, 3),
    // The devices' own statuses: spooled at the edge, per event, and what they add to the
    // records and their billing (each record's split by its statuses' share of its bytes).
    statuses: edge.statuses,
    statusesPerEvent: per(report.statusUserRecords),
    statusRecordsPerEvent: per(report.statusRecordShare),
    statusOnlyRecords: report.statusOnlyRecords,
    statusKinesisKbPerEvent: per(report.statusKinesisKb),
    statusFirehoseBytesPerEvent: per(report.statusFirehoseBytes, 0),
    eventsPerRecordWithoutStatuses: round(
      counted / Math.max(1, report.records - report.statusRecordShare),
      3,
    ),
    kinesisKbPerEvent: per(report.kinesisKb),
    // The same over the records put while the intake ran: what a fleet that never stops sends.
    // The records after it are the drain's flush of every lane's and gateway's partial record,
    // which a run of minutes has once per sender, and a day of store hours once a day.
    ...steadyKinesis(report.recordLog, started, started + durationMs),
    putPayloadUnitsPerEvent: per(report.putPayloadUnits),
    firehoseBytesPerEvent: per(report.firehoseBytes, 0),
    recordBytesPerEvent: per(report.recordBytes, 1),
    putRecordsRequestsPerEvent: per(edge.requests),
    dynamodbReadsPerEvent: per(db.reads),
    dynamodbWritesPerEvent: per(db.writes),
    readUnitsPerEvent: per(db.readUnits),
    writeUnitsPerEvent: per(db.writeUnits),
    // Where the write units go: per kind of item written, units per event and writes per event.
    writeUnitsPerEventByItem: Object.fromEntries(
      Object.entries(writesByItem)
        .sort(([, a], [, b]) => b.writeUnits - a.writeUnits)
        .map(([kind, c]) => [kind, { units: per(c.writeUnits), writes: per(c.writes) }]),
    ),
    // Fleet health (the stores' items and coverage summaries): over the run, after the warm-up
    // and at steady state (fleet-metrics.ts, fleetHealthCost); the share is of the
    // processor's write units.
    fleetHealthWriteUnitsPerEvent: fleetHealth.run.writeUnitsPerEvent,
    fleetHealthWriteUnitShare: fleetHealth.run.share,
    fleetHealthSteadyShare: fleetHealth.steady.bound?.share ?? fleetHealth.steady.floor.share,
    fleetHealth,
    apiReadUnits: round(db.apiReadUnits, 1),
    // The first invocation loads and compiles the handler (a cold start): counted apart.
    processorCpuMsPer1000Events: round(
      (sum(report.invocationCpuMs.slice(1)) / Math.max(1, sum(report.batchEvents.slice(1)))) * 1000,
      1,
    ),
    coldInvocationCpuMs: round(report.invocationCpuMs[0] ?? 0, 0),
    invocations: report.invocations,
    recordsPerBatchP50: percentile(
      [...report.batchRecords].sort((a, b) => a - b),
      50,
    ),
    eventsPerStorePerBatch: round(
      report.batchEvents.reduce((s, x) => s + x, 0) /
        Math.max(
          1,
          report.batchStores.reduce((s, x) => s + x, 0),
        ),
      2,
    ),
    largestBatchPayloadMb: round(Math.max(0, ...report.batchPayloadBytes) / 1048576, 2),
    invocationMsP50: round(percentile(invocationMs, 50), 0),
    invocationMsP99: round(percentile(invocationMs, 99), 0),
    freshnessP50Seconds: round(percentile(delays, 50) / 1000, 1),
    freshnessP99Seconds: round(percentile(delays, 99) / 1000, 1),
    unseen: fresh.unseen,
    probes: probes.length,
    drained,
    lost: truthCheck.lost,
    doubleCounted: truthCheck.doubleCounted,
    // User records dead-lettered, by reason (e.g. `unsigned`): none, for a run to be exact.
    deadLettered,
    exact:
      truthCheck.exact &&
      truthCheck.lost === 0 &&
      truthCheck.doubleCounted === 0 &&
      Object.keys(deadLettered).length === 0,
    // Whether this machine kept the pace: how late the intake's 100 ms ticks ran.
    intakeTickLagMsP99: percentile(
      tickLagMs.sort((a, b) => a - b),
      99,
    ),
    processCpuSeconds,
    edgeClientOpens: edge.opens,
    edgeClientsOpenAtMost: edge.maxOpen,
    edgeRetried: edge.retried,
    failedItems: report.failedItems,
    pollerErrors: report.pollerErrors,
  };
}

/** A child's CPU time so far (user + system), from /proc; NaN where there is none. */
function cpuSecondsOf(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return round((Number(fields[11]) + Number(fields[12])) / 100, 1);
  } catch {
    return Number.NaN;
  }
}

function pct(share: number) {
  return `${round(share * 100, 1)}%`;
}

function sum(xs: readonly number[]) {
  return xs.reduce((s, x) => s + x, 0);
}

function round(n: number, d = 3) {
  return Math.round(n * 10 ** d) / 10 ** d;
}

/** The bench's own seeded randomness (resolution delays), apart from the simulator's. */
const mulberry = (seed: number) => seededRandom(seed ^ 0x9e3779b9);

const results: Awaited<ReturnType<typeof runProfile>>[] = [];
for (const [name, profile] of profiles) results.push(await runProfile(name, profile));

const ROWS: [string, keyof (typeof results)[number]][] = [
  ['events (accepted at the edge)', 'events'],
  ['events per second (target)', 'targetEventsPerSec'],
  ['events per second (achieved)', 'eventsPerSec'],
  ['events per record', 'eventsPerRecord'],
  ['billed Kinesis KB per event', 'kinesisKbPerEvent'],
  ['statuses per event', 'statusesPerEvent'],
  ['  statuses: records per event', 'statusRecordsPerEvent'],
  ['  statuses: billed KB per event', 'statusKinesisKbPerEvent'],
  ['  events per record without them', 'eventsPerRecordWithoutStatuses'],
  ['  steady: events per record', 'steadyEventsPerRecord'],
  ['  steady: billed KB per event', 'steadyKinesisKbPerEvent'],
  ['  steady: Firehose bytes per event', 'steadyFirehoseBytesPerEvent'],
  ['PUT payload units per event', 'putPayloadUnitsPerEvent'],
  ['Firehose-billed bytes per event', 'firehoseBytesPerEvent'],
  ['DynamoDB reads per event', 'dynamodbReadsPerEvent'],
  ['DynamoDB writes per event', 'dynamodbWritesPerEvent'],
  ['read units per event', 'readUnitsPerEvent'],
  ['write units per event', 'writeUnitsPerEvent'],
  ['  fleet health: units per event', 'fleetHealthWriteUnitsPerEvent'],
  ['  fleet health: share (run)', 'fleetHealthWriteUnitShare'],
  ['  fleet health: share (steady, at most)', 'fleetHealthSteadyShare'],
  ['processor CPU ms per 1,000 events', 'processorCpuMsPer1000Events'],
  ['events per store per batch', 'eventsPerStorePerBatch'],
  ['records per batch (p50)', 'recordsPerBatchP50'],
  ['invocations', 'invocations'],
  ['largest batch payload (MB)', 'largestBatchPayloadMb'],
  ['invocation ms p50 / p99', 'invocationMsP50'],
  ['freshness p50 (s)', 'freshnessP50Seconds'],
  ['freshness p99 (s)', 'freshnessP99Seconds'],
  ['every total exact', 'exact'],
];
console.log(
  ['', ...results.map((r) => r.profile)].map((c, i) => c.padEnd(i === 0 ? 36 : 16)).join(''),
);
for (const [label, key] of ROWS) {
  const cells = results.map((r) =>
    key === 'invocationMsP50' ? `${r.invocationMsP50} / ${r.invocationMsP99}` : String(r[key]),
  );
  console.log([label.padEnd(36), ...cells.map((c) => c.padEnd(16))].join(''));
}
for (const r of results) {
  console.log(
    `${r.profile}: write units (writes) per event by item: ${Object.entries(
      r.writeUnitsPerEventByItem,
    )
      .map(([kind, c]) => `${kind} ${c.units} (${c.writes})`)
      .join(', ')}`,
  );
}
for (const r of results) {
  const { run, afterWarmUp, steady } = r.fleetHealth;
  console.log(
    `${r.profile}: fleet health: run ${run.writeUnitsPerEvent} units per event, ${pct(run.share)} of the ` +
      `processor's write units (${run.writesPerStatus} item writes per status, ${run.unitsPerWrite} units each); ` +
      (afterWarmUp === undefined
        ? 'no batch after the warm-up (a run shorter than a status interval and a batch); '
        : `after the warm-up ${afterWarmUp.writeUnitsPerEvent} per event, ${pct(afterWarmUp.share)} ` +
          `(${afterWarmUp.writesPerStatus} writes per status); `) +
      `steady state at ${steady.unitsPerWrite} units a write: from ${steady.floor.writeUnitsPerEvent} ` +
      `(${pct(steady.floor.share)}, a refresh every 10 minutes alone)` +
      (steady.bound === undefined
        ? ''
        : ` to at most ${steady.bound.writeUnitsPerEvent} (${pct(steady.bound.share)}, ` +
          `${steady.bound.writesPerStorePerMinute} writes a store a minute)`) +
      (r.slow > 1 ? "; in slow motion the processor's 10-minute refresh does not stretch" : ''),
  );
  console.log(
    `${r.profile}: statuses: ${r.statuses} spooled, ${r.statusesPerEvent} per event; they add ` +
      `${r.statusRecordsPerEvent} records per event (${r.statusOnlyRecords} records of statuses alone), ` +
      `${r.statusKinesisKbPerEvent} billed KB and ${r.statusFirehoseBytesPerEvent} Firehose bytes per event`,
  );
}
for (const r of results) {
  console.log(
    `${r.profile}: ${r.lanes} lanes of ${r.stores} stores for ${r.minutes} min` +
      (r.shardStores !== r.stores ? ` (batches sized for ${r.shardStores} stores)` : '') +
      `; ${r.invocations} invocations; ` +
      `${r.edgeClientOpens} lane client opens (at most ${r.edgeClientsOpenAtMost} open); lost ${r.lost}, ` +
      `double-counted ${r.doubleCounted}, unseen ${r.unseen}; dead-lettered ${JSON.stringify(r.deadLettered)}; ` +
      `${r.edgeRetried} records retried, ` +
      `${r.pollerErrors} poller errors; intake ticks late by ${r.intakeTickLagMsP99} ms at p99; ` +
      `CPU s: ${Object.entries(r.processCpuSeconds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );
}
console.log(JSON.stringify({ bench: 'fleet', profiles: results }));
process.exit(results.every((r) => r.exact) ? 0 : 1);
