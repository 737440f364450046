/**
 * `npm run bench:coverage`: the CPU of the coverage read and write paths at a fleet's size, in
 * process, no emulator: what `/v1/impact`'s organisation-wide coverage costs over N coverage
 * summaries of stores registered and never heard from (every open day since a gap day), what a
 * region's fleet health costs when its stores keep devices silent for weeks (PCs replaced), and
 * what the processor spends folding one batch's statuses of one store (a device sending far
 * more than its one status every 5 minutes).
 *
 * Options: --stores N (default 10500, the reference fleet), --days D (how long silent, default
 * 60), --devices K (silent devices a store keeps, default 40), --statuses S (of one store in
 * one batch, default 20000), --health-stores H (stores of one region's fleet health, default
 * 500).
 *
 *   npm run bench:coverage -- --stores 50000
 */
import { parseArgs } from 'node:util';
import type { DeviceStatusEvent } from '#contract';
import {
  type ArrivedStatus,
  registeredCoverage,
  type StoreHealth,
  scopeCoverage,
  storeHealthReport,
} from '#domain/fleet-health';
import type { FleetHealthStore, Logger } from '#domain/ports';
import { commitHealth } from '../../functions/processor/commit-health.js';

const { values } = parseArgs({
  options: {
    stores: { type: 'string', default: '10500' },
    days: { type: 'string', default: '60' },
    devices: { type: 'string', default: '40' },
    statuses: { type: 'string', default: '20000' },
    'health-stores': { type: 'string', default: '500' },
  },
});
const STORES = Number(values.stores);
const DAYS = Number(values.days);
const DEVICES = Number(values.devices);
const STATUSES = Number(values.statuses);
const HEALTH_STORES = Number(values['health-stores']);

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const HOURS = { opens: '08:00', closes: '22:00' };
const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London'];
const store = (i: number) => ({
  storeId: `store-${i}`,
  region: `region-${i % 50}`,
  timeZone: ZONES[i % ZONES.length] as string,
  lanes: 40,
  openHours: HOURS,
});

function time<T>(label: string, n: number, unit: string, run: () => T): T {
  const started = process.cpuUsage();
  const result = run();
  const cpu = process.cpuUsage(started);
  const ms = (cpu.user + cpu.system) / 1000;
  console.log(`${label}: ${ms.toFixed(0)} ms CPU (${((ms * 1000) / n).toFixed(1)} µs a ${unit})`);
  return result;
}

// 1. /v1/impact's organisation-wide coverage over a week.
const summaries = Array.from({ length: STORES }, (_, i) =>
  registeredCoverage(store(i), NOW - DAYS * DAY),
);
// Each against its baseline: the same work over stores and devices reporting, as most are.
const WEEK = { from: '2026-11-26', to: '2026-12-02' };
const reporting = summaries.map((s) => ({ ...s, known: 40, reporting: 40, writtenAt: NOW }));
time(`baseline: scopeCoverage, ${STORES} stores reporting, 7-day period`, STORES, 'store', () =>
  scopeCoverage(reporting, NOW, WEEK),
);
time(
  `scopeCoverage, ${STORES} stores never heard from in ${DAYS} days, 7-day period`,
  STORES,
  'store',
  () => scopeCoverage(summaries, NOW, WEEK),
);

// 2. A region's fleet health: stores each keeping DEVICES devices silent for DAYS days.
const status = (deviceId: string, at: number): DeviceStatusEvent => ({
  schemaVersion: 1,
  type: 'device_status',
  eventId: '01J0000000000000000000000',
  deviceId,
  occurredAt: new Date(at).toISOString(),
  seq: 1,
  storeId: 'store-0',
  spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
  daemonVersion: '0.1.0',
  models: [],
});
const silentSince = NOW - DAYS * DAY;
const health: StoreHealth = {
  storeId: 'store-0',
  region: 'region-0',
  profile: { timeZone: 'America/New_York', lanes: 40, openHours: HOURS },
  devices: Object.fromEntries(
    Array.from({ length: DEVICES }, (_, i) => [
      `panel-${i}`,
      {
        kind: 'panel' as const,
        seenAt: silentSince + i * 60_000,
        statusAt: silentSince + i * 60_000,
        clockOffsetMs: 0,
        spoolBytes: 0,
        oldestUnsentAgeSeconds: 0,
        deliveredThrough: silentSince,
        daemonVersion: '0.1.0',
        models: [],
      },
    ]),
  ),
  gapDays: [],
  writtenAt: NOW - DAY,
  version: 1,
};
const live: StoreHealth = {
  ...health,
  devices: Object.fromEntries(
    Object.entries(health.devices).map(([id, d]) => [id, { ...d, seenAt: NOW, statusAt: NOW }]),
  ),
};
time(
  `baseline: storeHealthReport, ${HEALTH_STORES} stores with ${DEVICES} devices reporting`,
  HEALTH_STORES,
  'store',
  () => {
    for (let i = 0; i < HEALTH_STORES; i++) storeHealthReport(live, NOW);
  },
);
time(
  `storeHealthReport, ${HEALTH_STORES} stores with ${DEVICES} devices silent ${DAYS} days`,
  HEALTH_STORES,
  'store',
  () => {
    for (let i = 0; i < HEALTH_STORES; i++) storeHealthReport(health, NOW);
  },
);

// 3. The processor folding STATUSES statuses of one store in one batch.
const info = store(0);
const statuses: (ArrivedStatus & { store: typeof info })[] = Array.from(
  { length: STATUSES },
  (_, i) => ({
    kind: 'panel',
    // Every other status steps 25 minutes ahead of the one before: a new silence each time.
    event: status('panel-0', NOW - 30 * DAY + (i % 2) * 25 * 60_000),
    arrivedAt: NOW + i,
    store: info,
  }),
);
// The baseline: as many statuses of one store, each device's 5 minutes after its last.
const steady = statuses.map((s, i) => ({
  ...s,
  event: status(`panel-${i % 40}`, NOW + Math.floor(i / 40) * 300_000),
}));
const memory: FleetHealthStore = {
  load: async () => new Map(),
  put: async () => 'ok',
};
const quiet: Logger = { info() {}, warn() {}, error() {} };
for (const [label, batch] of [
  [`baseline: commitHealth, ${STATUSES} statuses of one store's 40 lanes, 5 minutes apart`, steady],
  [`commitHealth, ${STATUSES} statuses of one device, a new silence every other one`, statuses],
] as const) {
  const started = process.cpuUsage();
  await commitHealth(batch, memory, quiet, NOW);
  const cpu = process.cpuUsage(started);
  const ms = (cpu.user + cpu.system) / 1000;
  console.log(
    `${label}: ${ms.toFixed(0)} ms CPU (${((ms * 1000) / STATUSES).toFixed(1)} µs a status)`,
  );
}
