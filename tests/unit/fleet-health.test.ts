import fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import { parseTelemetryEvent } from '#contract';
import {
  byAttention,
  type CoverageSummary,
  coverageSummary,
  DARK_AFTER_MS,
  MAX_DEVICES_PER_STORE,
  mergeStatuses,
  REFRESH_AFTER_MS,
  RESEEN_AFTER_MS,
  registeredCoverage,
  routeStatus,
  SILENT_AFTER_MS,
  scopeCoverage,
  storeHealthReport,
  summaryGapDays,
} from '../../functions/domain/fleet-health.js';
import {
  GAP_DAYS_KEPT,
  gapDaysOf,
  isOpenAt,
  localInstant,
} from '../../functions/domain/open-hours.js';
import { StoreInfo } from '../../functions/domain/registry-types.js';
import { REGISTRY } from '../helpers/factories.js';

const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const STORE = { storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' };
let seq = 0;
function status(over: Partial<DeviceStatusEvent> = {}, at = NOW): DeviceStatusEvent {
  return {
    schemaVersion: 1,
    type: 'device_status',
    eventId: ulid(at),
    deviceId: 'panel-store-0001-lane-01',
    occurredAt: new Date(at).toISOString(),
    seq: ++seq,
    storeId: 'store-0001',
    spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
    daemonVersion: '0.1.0',
    models: [{ name: 'shrink-vision', version: '4.2.1' }],
    ...over,
  };
}
const registry = {
  device: (id: string) => REGISTRY.devices.get(id),
  store: (id: string) => REGISTRY.stores.get(id),
};

describe('fleet health', () => {
  it('is a strict contract event that carries no free text (an error is a code)', () => {
    expect(parseTelemetryEvent(status()).ok).toBe(true);
    expect(parseTelemetryEvent({ ...status(), note: 'Jane at lane 1' }).ok).toBe(false);
    expect(
      parseTelemetryEvent({
        ...status(),
        lastError: { code: 'the uplink is down', at: status().occurredAt },
      }).ok,
    ).toBe(false);
    const tooMany = Array.from({ length: 9 }, (_, i) => ({ name: 'm', version: String(i) }));
    expect(parseTelemetryEvent({ ...status(), models: tooMany }).ok).toBe(false);
  });

  it("routes a status to its sender's own store, lane or gateway, and refuses one for another store", () => {
    expect(routeStatus(status(), registry)).toEqual({
      ok: true,
      kind: 'panel',
      store: REGISTRY.stores.get('store-0001'),
    });
    expect(routeStatus(status({ deviceId: 'gateway-store-0001' }), registry)).toMatchObject({
      ok: true,
      kind: 'gateway',
    });
    expect(routeStatus(status({ storeId: 'store-0002' }), registry)).toMatchObject({
      ok: false,
      rejection: { reason: 'store_mismatch' },
    });
    expect(routeStatus(status({ deviceId: 'agent-team-pos' }), registry)).toMatchObject({
      ok: false,
      rejection: { reason: 'store_mismatch' },
    });
    expect(routeStatus(status({ deviceId: 'panel-nobody' }), registry)).toMatchObject({
      ok: false,
      rejection: { reason: 'unknown_device' },
    });
  });

  it('keeps the latest status per device by arrival, never by the device clock', () => {
    const first = mergeStatuses(
      undefined,
      STORE,
      [{ kind: 'panel' as const, event: status(), arrivedAt: NOW }],
      NOW,
    );
    expect(first.write).toBe(true);
    // A status made "later" by a clock a day ahead, but that arrived earlier, does not win.
    const ahead = status({ spool: { bytes: 900, oldestUnsentAgeSeconds: 600 } }, NOW + 86_400_000);
    const merged = mergeStatuses(
      first.next,
      STORE,
      [{ kind: 'panel' as const, event: ahead, arrivedAt: NOW - 1_000 }],
      NOW,
    );
    expect(merged.next.devices['panel-store-0001-lane-01']?.spoolBytes).toBe(0);
    expect(merged.write).toBe(false);
  });

  it('writes again only for a material change or when the refresh is due', () => {
    const first = mergeStatuses(
      undefined,
      STORE,
      [{ kind: 'panel' as const, event: status(), arrivedAt: NOW }],
      NOW,
    );
    const stored = { ...first.next, version: 1 };
    const same = status({}, NOW + 60_000);
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: same, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(false);
    const backlog = status({ spool: { bytes: 5_000, oldestUnsentAgeSeconds: 900 } }, NOW + 60_000);
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: backlog, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(true);
    // A gateway's linger holds a few seconds of events unsent: no backlog worth a write.
    const lingering = status({ spool: { bytes: 700, oldestUnsentAgeSeconds: 4 } }, NOW + 60_000);
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: lingering, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(false);
    // A lane's first detections name its models: shown at the next refresh, not worth a write.
    const unnamed = mergeStatuses(
      undefined,
      STORE,
      [{ kind: 'panel' as const, event: status({ models: [] }), arrivedAt: NOW }],
      NOW,
    );
    expect(
      mergeStatuses(
        { ...unnamed.next, version: 1 },
        STORE,
        [{ kind: 'panel' as const, event: same, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(false);
    // A model rolled out is.
    const rolledOut = status(
      { models: [{ name: 'shrink-vision', version: '4.3.0' }] },
      NOW + 60_000,
    );
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: rolledOut, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(true);
    const upgraded = status({ daemonVersion: '0.2.0' }, NOW + 60_000);
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: upgraded, arrivedAt: NOW + 60_000 }],
        NOW + 60_000,
      ).write,
    ).toBe(true);
    const later = NOW + REFRESH_AFTER_MS;
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: status({}, later), arrivedAt: later }],
        later,
      ).write,
    ).toBe(true);
    expect(mergeStatuses(stored, STORE, [], NOW + 1_000).next.version).toBe(1);
  });

  it.each([
    [300_000, 60_000],
    [300_000, 300_000],
    [600_000, 60_000],
    [600_000, 300_000],
  ])(
    'never shows a lane silent that reports every %i ms, whichever batches of %i ms its statuses land in',
    (intervalMs, batchMs) => {
      // 40 lanes, each a status every interval (5 minutes, or a daemon's 10-minute heartbeat)
      // at its own offset; the item is kept only when a merge says write. Before
      // RESEEN_AFTER_MS, statuses that were never material and kept missing the refresh
      // batches were dropped, and up to 36 of the 40 lanes read as silent for minutes at a time.
      let state = 0x2545f491;
      const random = () => {
        state = (state * 48271) % 0x7fffffff;
        return state / 0x7fffffff;
      };
      const lanes = Array.from({ length: 40 }, (_, i) => ({
        deviceId: `panel-store-0001-lane-${String(i + 1).padStart(2, '0')}`,
        offset: Math.floor(random() * intervalMs),
      }));
      const batches = (240 * 60_000) / batchMs;
      let stored: ReturnType<typeof mergeStatuses>['next'] | undefined;
      let writes = 0;
      let mostSilent = 0;
      for (let m = 1; m <= batches; m++) {
        const from = NOW + (m - 1) * batchMs;
        const to = NOW + m * batchMs;
        const batch = lanes.flatMap(({ deviceId, offset }) => {
          const out = [];
          for (let t = NOW + offset; t < to; t += intervalMs) {
            if (t >= from)
              out.push({
                kind: 'panel' as const,
                event: status({ deviceId }, t),
                arrivedAt: t + 5_000,
              });
          }
          return out;
        });
        const merged = mergeStatuses(stored, STORE, batch, to + 10_000);
        if (merged.write) {
          stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
          writes++;
        }
        if (stored === undefined) continue;
        for (let s = 0; s < batchMs / 1_000; s += 15) {
          mostSilent = Math.max(
            mostSilent,
            storeHealthReport(stored, to + s * 1_000).silent.length,
          );
        }
      }
      expect(mostSilent).toBe(0);
      // The cost with each lane at its own offset: at most one write a batch, about one every 3
      // minutes with 60 s batches (daemons align a store's statuses to avoid it: status-phase).
      expect(writes).toBeLessThanOrEqual(batches);
      expect(RESEEN_AFTER_MS + intervalMs).toBeLessThan(SILENT_AFTER_MS);
    },
  );

  it("writes a status whose device's stored entry is RESEEN_AFTER_MS old, even behind an earlier one of the same batch", () => {
    const kept = mergeStatuses(
      undefined,
      STORE,
      [{ kind: 'panel' as const, event: status({}, NOW), arrivedAt: NOW }],
      NOW,
    );
    // Refreshed 3 minutes before RESEEN_AFTER_MS by another device's batch: the lane's entry
    // still says NOW.
    const at = (minutes: number) => NOW + RESEEN_AFTER_MS + minutes * 60_000;
    const stored = { ...kept.next, version: 1, writtenAt: at(-3) };
    const both = mergeStatuses(
      stored,
      STORE,
      [
        { kind: 'panel' as const, event: status({}, at(-2)), arrivedAt: at(-2) },
        { kind: 'panel' as const, event: status({}, at(1)), arrivedAt: at(1) },
      ],
      at(1.2),
    );
    expect(both.write).toBe(true);
    // Merged before its entry is RESEEN_AFTER_MS old, and no refresh due: not written.
    expect(
      mergeStatuses(
        stored,
        STORE,
        [{ kind: 'panel' as const, event: status({}, at(-2)), arrivedAt: at(-2) }],
        at(-1),
      ).write,
    ).toBe(false);
  });

  it('bounds the devices one store keeps to the most recently seen', () => {
    const many = Array.from({ length: MAX_DEVICES_PER_STORE + 10 }, (_, i) => ({
      kind: 'panel' as const,
      event: status({ deviceId: `panel-store-0001-lane-${i}` }),
      arrivedAt: NOW + i,
    }));
    const { next } = mergeStatuses(undefined, STORE, many, NOW);
    expect(Object.keys(next.devices)).toHaveLength(MAX_DEVICES_PER_STORE);
    expect(next.devices['panel-store-0001-lane-0']).toBeUndefined();
  });

  it('reports silent lanes, the backlog, the worst clock, versions and complete-through', () => {
    const at = (ms: number) => NOW - ms;
    const { next } = mergeStatuses(
      undefined,
      STORE,
      [
        {
          kind: 'panel' as const,
          event: status({ deviceId: 'lane-a' }, at(60_000)),
          arrivedAt: at(60_000),
        },
        {
          kind: 'panel' as const,
          // 2 minutes ahead, with 40 events unsent for the last 30 minutes.
          event: status(
            {
              deviceId: 'lane-b',
              spool: { bytes: 4_000, oldestUnsentAgeSeconds: 1_800 },
              daemonVersion: '0.2.0',
            },
            at(120_000) + 120_000,
          ),
          arrivedAt: at(120_000),
        },
        {
          kind: 'panel' as const,
          event: status({ deviceId: 'lane-c' }, at(SILENT_AFTER_MS + 60_000)),
          arrivedAt: at(SILENT_AFTER_MS + 60_000),
        },
      ],
      NOW,
    );

    const report = storeHealthReport(next, NOW);

    expect(report).toMatchObject({
      reporting: 2,
      known: 3,
      silent: [{ deviceId: 'lane-c' }],
      backlogAgeSeconds: 1_800,
      backlogBytes: 4_000,
      maxClockOffsetMs: 120_000,
      daemonVersions: { '0.1.0': 2, '0.2.0': 1 },
      models: ['shrink-vision@4.2.1'],
      attention: true,
    });
    // lane-b had delivered all it accepted up to 30 minutes before its status reached the
    // stream (by the stream's clock: its own runs 2 minutes ahead).
    expect(report.completeThrough).toBe(new Date(NOW - 120_000 - 1_800_000).toISOString());
    const quiet = storeHealthReport(mergeStatuses(undefined, STORE, [], NOW).next, NOW);
    expect(quiet.completeThrough).toBeUndefined();
    expect([quiet, report].sort(byAttention)[0]).toBe(report);
  });
});

describe('fleet health: coverage over many stores', () => {
  it('counts a store not written for DARK_AFTER_MS as silent altogether, and takes the earliest complete-through', () => {
    const summary = (storeId: string, over: Partial<CoverageSummary> = {}): CoverageSummary => ({
      storeId,
      region: 'us-east',
      profile: { timeZone: 'UTC' },
      known: 40,
      reporting: 40,
      silent: 0,
      lanes: { known: 40, reporting: 40, missing: 0 },
      gapDays: [],
      completeThrough: NOW - 60_000,
      writtenAt: NOW - 60_000,
      ...over,
    });

    const coverage = scopeCoverage(
      [
        summary('a'),
        summary('b', {
          reporting: 38,
          silent: 2,
          lanes: { known: 40, reporting: 38, missing: 2 },
          completeThrough: NOW - 600_000,
        }),
        summary('c', { writtenAt: NOW - DARK_AFTER_MS - 1, completeThrough: NOW - 86_400_000 }),
      ],
      NOW,
    );

    expect(coverage).toEqual({
      asOf: new Date(NOW).toISOString(),
      stores: 3,
      storesReporting: 2,
      storesWithGaps: 2,
      lanesRegistered: 120,
      lanesReporting: 78,
      storesWithoutLaneCount: 3,
      devicesKnown: 120,
      devicesReporting: 78,
      completeThrough: new Date(NOW - 600_000).toISOString(),
      // Store c has been dark since 13:30 - 1 ms: its day is a gap day.
      gapDays: [{ date: '2026-12-02', stores: 1 }],
    });
    expect(scopeCoverage([], NOW)).toMatchObject({ stores: 0, storesWithGaps: 0 });
  });

  it("summarises a store's item as of its write", () => {
    const { next } = mergeStatuses(
      undefined,
      STORE,
      [
        { kind: 'panel' as const, event: status({ deviceId: 'lane-a' }), arrivedAt: NOW },
        {
          kind: 'panel' as const,
          event: status({ deviceId: 'lane-b' }, NOW - 3_600_000),
          arrivedAt: NOW - 3_600_000,
        },
      ],
      NOW,
    );
    expect(coverageSummary(next)).toEqual({
      storeId: STORE.storeId,
      region: STORE.region,
      profile: { timeZone: 'UTC' },
      known: 2,
      reporting: 1,
      silent: 1,
      lanes: { known: 2, reporting: 1, missing: 1 },
      // lane-b has been silent for the last hour of an always-open day.
      gapDays: ['2026-12-02'],
      completeThrough: NOW,
      writtenAt: NOW,
    });
  });
});

describe('fleet health: registered lanes and days with a gap', () => {
  const HOURS = { opens: '08:00', closes: '22:00' };
  const NY = { ...STORE, timeZone: 'America/New_York', lanes: 4, openHours: HOURS };
  const arrived = (deviceId: string, at: number, kind: 'panel' | 'gateway' = 'panel') => ({
    kind,
    event: status({ deviceId }, at),
    arrivedAt: at,
  });

  it('counts lanes against the registered lanes, and a gateway as no lane', () => {
    const { next } = mergeStatuses(
      undefined,
      NY,
      [arrived('lane-a', NOW), arrived('lane-b', NOW), arrived('gw', NOW, 'gateway')],
      NOW,
    );
    const report = storeHealthReport(next, NOW);
    expect(report.lanes).toEqual({ registered: 4, known: 2, reporting: 2, missing: 2 });
    expect(report.reporting).toBe(3);
    expect(report.attention).toBe(true);
    const unregistered = storeHealthReport(
      mergeStatuses(undefined, STORE, [arrived('lane-a', NOW)], NOW).next,
      NOW,
    );
    expect(unregistered.lanes).toEqual({ known: 1, reporting: 1, missing: 0 });
    expect(unregistered.attention).toBe(false);
  });

  it('marks a day when a daemon was down in open hours, not when its uplink was', () => {
    // 14:00Z is 09:00 in New York. lane-a is heard at 09:00 and then at 11:00 (local).
    const first = mergeStatuses(
      undefined,
      NY,
      [arrived('lane-a', NOW), arrived('lane-b', NOW)],
      NOW,
    ).next;
    const later = NOW + 2 * 3_600_000;
    // lane-b's uplink was down: its statuses were made every 5 minutes, arrive together.
    const spooled = Array.from({ length: 24 }, (_, i) => ({
      kind: 'panel' as const,
      event: status({ deviceId: 'lane-b' }, NOW + (i + 1) * 300_000),
      arrivedAt: later,
    }));
    const merged = mergeStatuses(first, NY, [arrived('lane-a', later), ...spooled], later);
    // lane-a's daemon made nothing for two hours of an open day: the day has a gap.
    expect(merged.next.gapDays).toEqual(['2026-12-02']);
    expect(merged.write).toBe(true);
    const onlyUplink = mergeStatuses(first, NY, spooled, later).next;
    expect(onlyUplink.gapDays).toEqual([]);
  });

  it('marks nothing for a PC switched off at closing and on at opening', () => {
    // Last heard 21:58 local (02:58Z next day), back at 08:05 local.
    const off = Date.parse('2026-12-03T02:58:00Z');
    const on = Date.parse('2026-12-03T13:05:00Z');
    const first = mergeStatuses(undefined, NY, [arrived('lane-a', off)], off).next;
    expect(mergeStatuses(first, NY, [arrived('lane-a', on)], on).next.gapDays).toEqual([]);
    // The same night in a store open around the clock is a gap on both days.
    const allDay = { ...NY, openHours: undefined };
    const night = mergeStatuses(undefined, allDay, [arrived('lane-a', off)], off).next;
    expect(mergeStatuses(night, allDay, [arrived('lane-a', on)], on).next.gapDays).toEqual([
      '2026-12-02',
      '2026-12-03',
    ]);
  });

  it('adds a silence still going on when read, and a dark store to the scope by day', () => {
    const { next } = mergeStatuses(undefined, NY, [arrived('lane-a', NOW)], NOW);
    const twoDaysLater = NOW + 2 * 86_400_000;
    expect(storeHealthReport(next, twoDaysLater).gapDays).toEqual([
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ]);
    const coverage = scopeCoverage([coverageSummary(next)], twoDaysLater, {
      from: '2026-12-03',
      to: '2026-12-31',
    });
    expect(coverage).toMatchObject({
      stores: 1,
      storesReporting: 0,
      storesWithGaps: 1,
      lanesRegistered: 4,
      lanesReporting: 0,
      gapDays: [
        { date: '2026-12-03', stores: 1 },
        { date: '2026-12-04', stores: 1 },
      ],
    });
  });

  it('counts a store registered but never heard from as every lane missing, and no test store', () => {
    const never = registeredCoverage(NY, NOW);
    expect(never).toMatchObject({ known: 0, lanes: { registered: 4, missing: 4 } });
    const test = coverageSummary(
      mergeStatuses(
        undefined,
        { ...NY, storeId: 'store-test', test: true },
        [arrived('x', NOW)],
        NOW,
      ).next,
    );
    const coverage = scopeCoverage([never, test], NOW + 60_000);
    expect(coverage).toMatchObject({
      stores: 1,
      storesReporting: 0,
      storesWithGaps: 1,
      lanesRegistered: 4,
      lanesReporting: 0,
    });
  });

  it('bounds the days one silence marks, whatever its length', () => {
    const { next } = mergeStatuses(undefined, NY, [arrived('lane-a', 0)], 0);
    const report = storeHealthReport(next, NOW);
    expect(report.gapDays).toHaveLength(GAP_DAYS_KEPT);
    expect(report.gapDays.at(-1)).toBe('2026-12-02');
  });
});

describe('gap days worked out in bounded time', () => {
  const DAY = 86_400_000;
  const zone = fc.constantFrom(
    'UTC',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'America/Santiago',
  );
  const hours = fc.constantFrom(
    undefined,
    { opens: '08:00', closes: '22:00' },
    { opens: '22:00', closes: '02:00' },
    { opens: '00:00', closes: '24:00' },
    { opens: '06:30', closes: '24:00' },
  );
  const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  it("works out a period's days of a dark store alone, the same as over its whole silence", () => {
    fc.assert(
      fc.property(
        zone,
        hours,
        fc.integer({ min: 0, max: 200 * DAY }),
        // Periods within the days a silence marks (at the 93rd day back, the latest 93 kept
        // may leave out a day the period alone would name).
        fc.integer({ min: -90, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        (timeZone, openHours, silentFor, startsIn, days) => {
          // Prepare: a store registered `silentFor` ago, never heard from.
          const summary = registeredCoverage(
            { storeId: 's', region: 'r', timeZone, lanes: 2, ...(openHours && { openHours }) },
            NOW - silentFor,
          );
          const from = dateOf(NOW + startsIn * DAY);
          const period = { from, to: dateOf(NOW + (startsIn + days - 1) * DAY) };
          // Act / Assess
          expect(summaryGapDays(summary, NOW, period)).toEqual(
            summaryGapDays(summary, NOW).filter((d) => d >= period.from && d <= period.to),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("marks a store's silences still going on as the longest of them marks", () => {
    fc.assert(
      fc.property(
        zone,
        hours,
        fc.array(fc.integer({ min: 0, max: 120 * DAY }), { minLength: 1, maxLength: 6 }),
        (timeZone, openHours, silences) => {
          const info = { ...STORE, timeZone, ...(openHours && { openHours }) };
          const statuses = silences.map((ago, i) => ({
            kind: 'panel' as const,
            event: status({ deviceId: `lane-${i}` }, NOW - ago),
            arrivedAt: NOW - ago,
          }));
          const { next } = mergeStatuses(undefined, info, statuses, NOW);
          const each = silences
            .filter((ago) => ago > SILENT_AFTER_MS)
            .map((ago) => gapDaysOf(NOW - ago, NOW, timeZone, openHours));
          expect(storeHealthReport(next, NOW).gapDays).toEqual(
            [...new Set(each.flat())].sort().slice(-GAP_DAYS_KEPT),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('open hours', () => {
  const HOURS = { opens: '08:00', closes: '22:00' };
  it('finds local times across daylight saving changes', () => {
    // 2026-03-08: New York springs forward at 02:00.
    expect(new Date(localInstant('2026-03-07', 8 * 60, 'America/New_York')).toISOString()).toBe(
      '2026-03-07T13:00:00.000Z',
    );
    expect(new Date(localInstant('2026-03-09', 8 * 60, 'America/New_York')).toISOString()).toBe(
      '2026-03-09T12:00:00.000Z',
    );
    expect(new Date(localInstant('2026-06-15', 0, 'Asia/Kolkata')).toISOString()).toBe(
      '2026-06-14T18:30:00.000Z',
    );
  });

  it('tells open from closed, overnight stores included', () => {
    const ny = 'America/New_York';
    expect(isOpenAt(Date.parse('2026-12-02T14:00:00Z'), ny, HOURS)).toBe(true);
    expect(isOpenAt(Date.parse('2026-12-02T04:00:00Z'), ny, HOURS)).toBe(false);
    const night = { opens: '20:00', closes: '06:00' };
    expect(isOpenAt(Date.parse('2026-12-02T07:00:00Z'), ny, night)).toBe(true); // 02:00 local
    expect(isOpenAt(Date.parse('2026-12-02T16:00:00Z'), ny, night)).toBe(false); // 11:00 local
    expect(isOpenAt(Date.parse('2026-12-02T16:00:00Z'), ny, undefined)).toBe(true);
  });

  it('refuses open hours that are no interval', () => {
    const store = { storeId: 's', region: 'r', timeZone: 'UTC' };
    expect(
      StoreInfo.safeParse({ ...store, openHours: { opens: '08:00', closes: '08:00' } }).success,
    ).toBe(false);
    expect(
      StoreInfo.safeParse({ ...store, openHours: { opens: '8:00', closes: '22:00' } }).success,
    ).toBe(false);
    expect(
      StoreInfo.safeParse({ ...store, openHours: { opens: '24:00', closes: '08:00' } }).success,
    ).toBe(false);
    expect(
      StoreInfo.safeParse({ ...store, openHours: { opens: '07:00', closes: '24:00' } }).success,
    ).toBe(true);
    expect(StoreInfo.safeParse({ ...store, lanes: 0 }).success).toBe(false);
  });
});
