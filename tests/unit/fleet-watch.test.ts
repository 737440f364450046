import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreProfile } from '../../functions/domain/fleet-health.js';
import {
  type CoverageSummary,
  DARK_AFTER_MS,
  isDark,
  registeredCoverage,
} from '../../functions/domain/fleet-health.js';
import {
  fleetWatchReport,
  openSince,
  WATCH_LISTED_REGIONS,
  WATCH_LISTED_STORES,
} from '../../functions/domain/fleet-watch.js';
import { isOpenAt, localInstant, type OpenHours } from '../../functions/domain/open-hours.js';

const MIN = 60_000;
/** 14:00 UTC: 09:00 in New York (EST), a store opening at 08:00 has been open an hour. */
const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const DAY_SHIFT: OpenHours = { opens: '08:00', closes: '22:00' };
const NY: StoreProfile = { timeZone: 'America/New_York', lanes: 4, openHours: DAY_SHIFT };

/** A store heard from (two lanes), whose item was last written at `writtenAt`. */
function heard(
  storeId: string,
  writtenAt: number,
  profile: StoreProfile = NY,
  region = 'us-east',
): CoverageSummary {
  return {
    storeId,
    region,
    profile,
    known: 2,
    reporting: 2,
    silent: 0,
    lanes: { registered: 4, known: 2, reporting: 2, missing: 2 },
    gapDays: [],
    completeThrough: writtenAt,
    writtenAt,
  };
}

/** A store registered at `at` and never heard from. */
const neverHeard = (storeId: string, at: number, profile: StoreProfile = NY, region = 'us-east') =>
  registeredCoverage(
    {
      storeId,
      region,
      timeZone: profile.timeZone,
      lanes: 4,
      ...(profile.openHours !== undefined && { openHours: profile.openHours }),
      ...(profile.test === true && { test: true }),
    },
    at,
  );

describe('Function: fleetWatchReport', () => {
  it('flags a store heard from before, dark now, in its open hours, and names it with how long it has been silent', () => {
    // Prepare: one store silent 45 minutes, one written 5 minutes ago.
    const summaries = [heard('store-a', NOW - 45 * MIN), heard('store-b', NOW - 5 * MIN)];

    // Act
    const report = fleetWatchReport(summaries, NOW);

    // Assess
    expect(report).toEqual({
      asOf: new Date(NOW).toISOString(),
      stores: 2,
      storesOpen: 2,
      silentDuringOpenHours: 1,
      neverHeardWhileOpen: 0,
      unjudged: 0,
      regions: [{ region: 'us-east', stores: 2, silentDuringOpenHours: 1, neverHeardWhileOpen: 0 }],
      silent: [
        {
          storeId: 'store-a',
          region: 'us-east',
          lastHeardAt: new Date(NOW - 45 * MIN).toISOString(),
          silentMinutes: 45,
        },
      ],
      neverHeard: [],
    });
  });

  it('leaves a store alone in its first 30 minutes open, while its PCs boot, and flags it at 30', () => {
    // Prepare: silent since last night's closing; opens 08:00 New York = 13:00 UTC.
    const opening = Date.parse('2026-12-02T13:00:00.000Z');
    const store = [heard('store-a', opening - 11 * 60 * MIN)];

    // Act
    const at = (ms: number) => fleetWatchReport(store, ms).silentDuringOpenHours;

    // Assess
    expect(at(opening - MIN)).toBe(0); // closed
    expect(at(opening + 10 * MIN)).toBe(0);
    expect(at(opening + DARK_AFTER_MS - 1)).toBe(0);
    expect(at(opening + DARK_AFTER_MS)).toBe(1);
  });

  it('does not flag a store that reported within the last 30 minutes, nor one silent after closing', () => {
    // 22:00 New York closing = 03:00 UTC on 2026-12-03.
    const closing = Date.parse('2026-12-03T03:00:00.000Z');
    const fresh = heard('store-a', NOW - DARK_AFTER_MS);
    const closed = heard('store-b', closing - 5 * MIN);

    expect(isDark(fresh, NOW)).toBe(false);
    expect(fleetWatchReport([fresh], NOW).silentDuringOpenHours).toBe(0);
    const night = fleetWatchReport([closed], closing + 3 * 60 * MIN);
    expect(night).toMatchObject({ stores: 1, storesOpen: 0, silentDuringOpenHours: 0 });
    // The same silence in the day is flagged again 30 minutes after opening.
    const morning = Date.parse('2026-12-03T13:30:00.000Z');
    expect(fleetWatchReport([closed], morning).silent).toEqual([
      expect.objectContaining({ storeId: 'store-b', silentMinutes: 10 * 60 + 35 }),
    ]);
  });

  it('watches a store without open hours around the clock: no grace after an opening it never has', () => {
    const allDay = heard('store-a', NOW - 31 * MIN, { timeZone: 'Asia/Kathmandu' });
    expect(fleetWatchReport([allDay], NOW).silentDuringOpenHours).toBe(1);
    expect(openSince(NOW, 'Asia/Kathmandu', undefined)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('counts an overnight store open from the evening it opened', () => {
    // Opens 22:00, closes 06:00 New York; 22:00 EST = 03:00 UTC.
    const overnight: StoreProfile = {
      timeZone: 'America/New_York',
      openHours: { opens: '22:00', closes: '06:00' },
    };
    const opened = Date.parse('2026-12-03T03:00:00.000Z');
    const store = [heard('store-a', opened - 5 * 60 * MIN, overnight)];
    expect(openSince(opened + 3 * 60 * MIN, overnight.timeZone, overnight.openHours)).toBe(opened);
    expect(fleetWatchReport(store, opened + 10 * MIN).silentDuringOpenHours).toBe(0);
    expect(fleetWatchReport(store, opened + 3 * 60 * MIN).silentDuringOpenHours).toBe(1);
    // 06:00 New York: closed.
    expect(fleetWatchReport(store, opened + 8 * 60 * MIN).storesOpen).toBe(0);
  });

  it('takes days open to midnight and from midnight as one stretch (no new opening at 00:00)', () => {
    const midnightToMidnight: StoreProfile = {
      timeZone: 'UTC',
      openHours: { opens: '00:00', closes: '24:00' },
    };
    const midnight = Date.parse('2026-12-02T00:00:00.000Z');
    const store = [heard('store-a', midnight - 60 * MIN, midnightToMidnight)];
    expect(fleetWatchReport(store, midnight + 10 * MIN).silentDuringOpenHours).toBe(1);
    // A store that opens at 00:01 does open anew.
    const late = { timeZone: 'UTC', openHours: { opens: '00:01', closes: '24:00' } };
    expect(openSince(midnight + 10 * MIN, 'UTC', late.openHours)).toBe(midnight + MIN);
    expect(
      fleetWatchReport([heard('store-b', midnight - 60 * MIN, late)], midnight + 10 * MIN)
        .silentDuringOpenHours,
    ).toBe(0);
  });

  it("opens by the store's own clock across a daylight saving change", () => {
    // 2026-03-08: New York springs forward; 08:00 EDT = 12:00 UTC (13:00 the day before).
    const opening = Date.parse('2026-03-08T12:00:00.000Z');
    const store = [heard('store-a', opening - 10 * 60 * MIN)];
    expect(openSince(opening + MIN, 'America/New_York', DAY_SHIFT)).toBe(opening);
    expect(fleetWatchReport(store, opening + 29 * MIN).silentDuringOpenHours).toBe(0);
    expect(fleetWatchReport(store, opening + 30 * MIN).silentDuringOpenHours).toBe(1);
  });

  it('reports a store registered but never heard from while it is open, and never alarms on it', () => {
    // Prepare
    const summaries = [
      neverHeard('store-new', NOW - 3 * 24 * 60 * MIN),
      neverHeard('store-newer', NOW - 60 * MIN),
      // Closed now: 09:00 in New York is 23:00 in Tokyo.
      neverHeard('store-tokyo', NOW - 60 * MIN, {
        timeZone: 'Asia/Tokyo',
        openHours: DAY_SHIFT,
      }),
    ];

    // Act
    const report = fleetWatchReport(summaries, NOW);

    // Assess
    expect(report).toMatchObject({
      stores: 3,
      storesOpen: 2,
      silentDuringOpenHours: 0,
      neverHeardWhileOpen: 2,
      silent: [],
      neverHeard: [
        {
          storeId: 'store-new',
          region: 'us-east',
          registeredAt: new Date(NOW - 3 * 24 * 60 * MIN).toISOString(),
        },
        { storeId: 'store-newer', region: 'us-east' },
      ],
    });
  });

  it('watches no test store', () => {
    const test: StoreProfile = { ...NY, test: true };
    const report = fleetWatchReport(
      [heard('store-test', NOW - 60 * MIN, test), neverHeard('store-test-2', NOW, test)],
      NOW,
    );
    expect(report).toMatchObject({
      stores: 0,
      storesOpen: 0,
      silentDuringOpenHours: 0,
      neverHeardWhileOpen: 0,
      regions: [],
    });
  });

  it('counts per region, worst region first, and names only regions with something to report', () => {
    const summaries = [
      heard('store-1', NOW - 60 * MIN, NY, 'us-east'),
      heard('store-2', NOW - 60 * MIN, NY, 'us-west'),
      heard('store-3', NOW - 50 * MIN, NY, 'us-west'),
      heard('store-4', NOW - MIN, NY, 'us-west'),
      neverHeard('store-5', NOW, NY, 'eu-central'),
      heard('store-6', NOW - MIN, NY, 'ca-east'),
    ];
    expect(fleetWatchReport(summaries, NOW).regions).toEqual([
      { region: 'us-west', stores: 3, silentDuringOpenHours: 2, neverHeardWhileOpen: 0 },
      { region: 'us-east', stores: 1, silentDuringOpenHours: 1, neverHeardWhileOpen: 0 },
      { region: 'eu-central', stores: 1, silentDuringOpenHours: 0, neverHeardWhileOpen: 1 },
    ]);
  });

  it('names at most a few stores, the longest silent first, and counts them all', () => {
    // Prepare: 25 silent stores, store-00 silent longest.
    const summaries = Array.from({ length: 25 }, (_, i) =>
      heard(`store-${String(i).padStart(2, '0')}`, NOW - (200 - i) * MIN),
    );
    const regions = Array.from({ length: WATCH_LISTED_REGIONS + 5 }, (_, i) =>
      heard(`store-r${i}`, NOW - 60 * MIN, NY, `region-${i}`),
    );

    // Act
    const report = fleetWatchReport([...summaries.reverse(), ...regions], NOW);

    // Assess
    expect(report.silentDuringOpenHours).toBe(25 + WATCH_LISTED_REGIONS + 5);
    expect(report.silent).toHaveLength(WATCH_LISTED_STORES);
    expect(report.silent.map((s) => s.storeId).slice(0, 3)).toEqual([
      'store-00',
      'store-01',
      'store-02',
    ]);
    expect(report.silent[0]?.silentMinutes).toBe(200);
    expect(report.regions).toHaveLength(WATCH_LISTED_REGIONS);
  });

  it('counts a summary it cannot judge apart and judges the rest', () => {
    const bad = heard('store-bad', NOW - 60 * MIN, {
      timeZone: 'Mars/Olympus_Mons',
      openHours: DAY_SHIFT,
    });
    const noTime = { ...heard('store-nan', NOW), writtenAt: Number.NaN };
    const report = fleetWatchReport([bad, noTime, heard('store-a', NOW - 60 * MIN)], NOW);
    expect(report).toMatchObject({
      stores: 3,
      unjudged: 2,
      silentDuringOpenHours: 1,
      silent: [expect.objectContaining({ storeId: 'store-a' })],
    });
  });

  it('agrees with sampling the open hours minute by minute over the last 30 minutes', () => {
    // An oracle apart from openSince: open throughout [now - 30 min, now] iff open at each of
    // its whole minutes (open hours change on whole local minutes, so a closing of at least a
    // minute inside the window holds one of them).
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 1, 15, 30, 45, 59))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const hours = fc.option(
      fc.oneof(
        fc
          .tuple(hhmm, fc.oneof(hhmm, fc.constant('24:00')))
          .filter(([opens, closes]) => opens !== closes)
          .map(([opens, closes]) => ({ opens, closes })),
        // Open to midnight and from it: one stretch, or two with a minute between.
        fc.constantFrom(
          { opens: '00:00', closes: '24:00' },
          { opens: '00:01', closes: '24:00' },
          { opens: '00:00', closes: '23:59' },
        ),
      ),
      { nil: undefined },
    );
    const zone = fc.constantFrom(
      'UTC',
      'America/New_York',
      'Europe/London',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
    );
    // Whole minutes of 2026 (daylight saving changes included): any minute of a day, or one
    // within 90 minutes of the store's opening that day.
    const instant = fc.tuple(
      fc.integer({ min: 0, max: 364 }),
      fc.integer({ min: 0, max: 24 * 60 - 1 }),
      fc.integer({ min: -90, max: 90 }),
      fc.boolean(),
    );
    const nowOf = (
      timeZone: string,
      openHours: OpenHours | undefined,
      [day, minuteOfDay, fromOpening, nearOpening]: [number, number, number, boolean],
    ) => {
      const midnight = Date.UTC(2026, 0, 1 + day);
      if (!nearOpening || openHours === undefined) return midnight + minuteOfDay * MIN;
      const opens = Number(openHours.opens.slice(0, 2)) * 60 + Number(openHours.opens.slice(3));
      const date = new Date(midnight).toISOString().slice(0, 10);
      return localInstant(date, opens, timeZone) + fromOpening * MIN;
    };
    fc.assert(
      fc.property(
        zone,
        hours,
        instant,
        fc.integer({ min: 0, max: 24 * 60 }),
        fc.boolean(),
        (timeZone, openHours, at, silentMinutes, everHeard) => {
          const now = nowOf(timeZone, openHours, at);
          const profile: StoreProfile = {
            timeZone,
            ...(openHours !== undefined && { openHours }),
          };
          const summary = everHeard
            ? heard('store-a', now - silentMinutes * MIN, profile)
            : neverHeard('store-a', now - silentMinutes * MIN, profile);
          const report = fleetWatchReport([summary], now);
          const openNow = isOpenAt(now, timeZone, openHours);
          const openThroughout = Array.from({ length: 31 }, (_, k) => now - k * MIN).every((t) =>
            isOpenAt(t, timeZone, openHours),
          );
          expect(report.storesOpen).toBe(openNow ? 1 : 0);
          expect(report.silentDuringOpenHours).toBe(
            everHeard && openThroughout && isDark(summary, now) ? 1 : 0,
          );
          expect(report.neverHeardWhileOpen).toBe(!everHeard && openNow ? 1 : 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
