import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import { putRegisteredCoverage } from '../../functions/adapters/dynamodb-fleet-health.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { localDate } from '../../functions/domain/calendar.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { loadProcessorConfig } from '../../functions/processor/config.js';
import { processorDeps } from '../../functions/processor/deps.js';
import { processBatch, type StreamRecord } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { detection, REGISTRY, streamRecords, testKeys } from '../helpers/factories.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { runTool } from '../helpers/tool-run.js';

/**
 * The faults the fleet's daemons report, through the real processor, the impact API and the
 * operators' commands on the emulators: a lane silenced mid-run, a PC offline for an hour and
 * back with its backlog, a clock 20 minutes ahead, a device never registered, and a store
 * gone dark. Times are real (the last hour and a half), since "silent" is as of now.
 */
let env: Awaited<ReturnType<typeof freshEmulators>>;
const NOW = Date.now();
const MIN = 60_000;
const T0 = NOW - 80 * MIN;
const NY = 'America/New_York';
const STORE: StoreInfo = { storeId: 'store-0001', region: 'us-east', timeZone: NY, lanes: 4 };
const lane = (n: number) => `panel-store-0001-lane-0${n}`;
let seq = 1_000;

function status(deviceId: string, storeId: string, at: number, spool = 0): DeviceStatusEvent {
  return {
    schemaVersion: 1,
    type: 'device_status',
    eventId: ulid(at),
    deviceId,
    occurredAt: new Date(at).toISOString(),
    seq: ++seq,
    storeId,
    spool: { bytes: spool, oldestUnsentAgeSeconds: spool === 0 ? 0 : 300 },
    daemonVersion: '0.1.0',
    models: [],
  };
}
const detectionAt = (deviceId: string, at: number) =>
  detection({
    deviceId,
    storeId: 'store-0001',
    eventId: ulid(at),
    detectionId: ulid(at),
    occurredAt: new Date(at).toISOString(),
    seq: ++seq,
    estimatedLossCents: 1_000,
  });

let sequence = 49_100_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
/** One batch of events that reached the stream at `arrivedAt`. */
async function arrive(arrivedAt: number, events: readonly unknown[]) {
  const records: StreamRecord[] = streamRecords(events, { firstSequence: sequence }).map((r) => ({
    ...r,
    arrivedAt,
  }));
  sequence += BigInt(events.length) * 10n + 10n;
  const config = loadProcessorConfig({
    [TABLES.aggregates.envVar]: TABLES.aggregates.localName,
    [TABLES.registry.envVar]: TABLES.registry.localName,
    [TABLES.deadLetters.envVar]: TABLES.deadLetters.localName,
  });
  // Processed as it arrives (the processor's clock is the batch's arrival).
  return processBatch(records, {
    ...processorDeps(env.dynamodb, config, silentLogger),
    now: () => arrivedAt,
  });
}

async function answer(path: string, query: Record<string, string>) {
  const { status, body } = await askImpactApi(env.dynamodb, path, query);
  expect(status).toBe(200);
  return body;
}

const stats: Awaited<ReturnType<typeof processBatch>>['stats'][] = [];

beforeAll(async () => {
  env = await freshEmulators(1);
  const stores = [STORE, REGISTRY.stores.get('store-0002') as StoreInfo];
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores,
    devices: [
      ...REGISTRY.devices.values(),
      ...[2, 3, 4].map((n) => ({
        deviceId: lane(n),
        kind: 'panel' as const,
        storeId: 'store-0001',
        keys: testKeys(lane(n)),
      })),
    ],
  });
  await putRegisteredCoverage(env.dynamodb, TABLES.aggregates.localName, stores, T0 - MIN);

  // T0: every lane reports, and lane 02 and store-0002's only lane for the last time.
  const first = [1, 2, 3, 4].map((n) => status(lane(n), 'store-0001', T0));
  stats.push(
    (
      await arrive(T0, [
        ...first,
        status('panel-store-0002-lane-01', 'store-0002', T0),
        detectionAt(lane(2), T0),
      ])
    ).stats,
  );
  // Lane 03's uplink is down for an hour: its daemon goes on, spooling its detections and its
  // statuses (every 5 minutes by its clock), and delivers them all when it is back.
  const backlog = Array.from({ length: 12 }, (_, i) => T0 + (i + 1) * 5 * MIN);
  stats.push(
    (
      await arrive(T0 + 65 * MIN, [
        ...backlog.map((at) => detectionAt(lane(3), at - MIN)),
        ...backlog.map((at, i) => status(lane(3), 'store-0001', at, i === 11 ? 0 : 2_000 * i)),
      ])
    ).stats,
  );
  // Lane 01 reports as it should; lane 04's clock runs 20 minutes ahead; lane 09 was never
  // registered.
  const last = NOW - 2 * MIN;
  stats.push(
    (
      await arrive(last, [
        status(lane(1), 'store-0001', last),
        detectionAt(lane(1), last),
        status(lane(4), 'store-0001', last + 20 * MIN),
        detectionAt(lane(4), last + 20 * MIN),
        detectionAt('panel-store-0001-lane-09', last),
      ])
    ).stats,
  );
}, 60_000);

afterAll(async () => env?.close());

describe('Integration: the faults the fleet reports, as the API and the tools show them', () => {
  const from = localDate(T0, NY);
  const to = localDate(NOW, NY);

  it('counts what arrived late and refuses what it must, and the alarms see the clock', () => {
    const [, outage, last] = stats;
    expect(outage).toMatchObject({ counted: 12, statuses: 12, deadLettered: 0 });
    // lane 04's detection is refused (clock_skew), lane 09's too (never registered); the
    // DeviceClockSkew alarm reads the batch's worst clock.
    expect(last).toMatchObject({ counted: 1, statuses: 2, deadLettered: 2 });
    expect(last?.maxClockSkewSeconds).toBeGreaterThanOrEqual(1_199);
  });

  it('names the silent lane, the clock ahead and the registered lanes in fleet health, and no gap for the outage', async () => {
    const health = await answer('/v1/fleet/health', { region: 'us-east', only: 'all' });
    const store = health.stores.find((s: { storeId: string }) => s.storeId === 'store-0001');
    expect(store).toMatchObject({
      lanes: { registered: 4, known: 4, reporting: 3, missing: 1 },
      silent: [{ deviceId: lane(2) }],
      backlogBytes: 0,
      attention: true,
    });
    expect(store.maxClockOffsetMs).toBeGreaterThanOrEqual(19 * MIN);
    // The gap days are lane 02's silence (80 minutes, going on): lane 03's hour offline was an
    // uplink outage, its events delivered late and counted.
    const silenceDays = new Set([localDate(T0 + 40 * MIN, NY), localDate(NOW - 20 * MIN, NY)]);
    for (const day of store.gapDays) expect(silenceDays.has(day)).toBe(true);
    expect(store.gapDays.length).toBeGreaterThan(0);
  });

  it('says on the totals what they cover, and counts exactly the events that count', async () => {
    const impact = await answer('/v1/impact', { from, to });
    // lane 02's one, lane 03's twelve from its backlog, lane 01's one.
    expect(impact.shrink.detections).toBe(14);
    expect(impact.coverage).toMatchObject({
      stores: 2,
      storesReporting: 1,
      storesWithGaps: 2,
      lanesRegistered: 5,
      lanesReporting: 3,
    });
    expect(impact.coverage.gapDays.length).toBeGreaterThan(0);
    const stores = await answer('/v1/stores', { from, to });
    const row = stores.stores.find((s: { storeId: string }) => s.storeId === 'store-0001');
    expect(row.coverage).toMatchObject({ lanesReporting: 3, lanesRegistered: 4 });
  });

  it('the tools: the fleet watch names the dark store, the dead letters name the clock and the unregistered lane with their fixes', async () => {
    const watch = await runTool('fleet-watch.ts', ['--json'], env.emulators);
    expect(watch.status).toBe(1);
    const report = JSON.parse(watch.stdout);
    expect(JSON.stringify(report)).toContain('store-0002');
    expect(JSON.stringify(report.silent ?? report)).not.toContain('"store-0001"');

    const letters = await runTool(
      'dead-letters.ts',
      ['list', '--from', localDate(T0, 'UTC'), '--to', localDate(NOW, 'UTC'), '--json'],
      env.emulators,
    );
    expect(letters.status).toBe(0);
    const listed = JSON.parse(letters.stdout) as {
      letters: { id: string; reason: string; deviceId: string }[];
    };
    const byDevice = new Map(listed.letters.map((l) => [l.deviceId, l]));
    expect(byDevice.get(lane(4))?.reason).toBe('clock_skew');
    expect(byDevice.get('panel-store-0001-lane-09')?.reason).toMatch(/^unknown_(key|device)$/);
    const explained = await runTool(
      'dead-letters.ts',
      ['explain', byDevice.get('panel-store-0001-lane-09')?.id ?? '', '--json'],
      env.emulators,
    );
    expect(explained.status).toBe(0);
    expect(JSON.parse(explained.stdout).advice.fix).toMatch(/register/);
  });
});
