import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import {
  type ArrivedStatus,
  mergeStatuses,
  registeredCoverage,
  type StoreHealth,
  scopeCoverage,
  storeHealthReport,
} from '../../functions/domain/fleet-health.js';
import { openSince } from '../../functions/domain/fleet-watch.js';
import { localInstant } from '../../functions/domain/open-hours.js';

/**
 * Hostile review of the coverage, gap-day and fleet-watch change (issue 22): statuses from a
 * registered device whose clock is wrong or jumps, stores the runtime cannot place in time, and
 * the days a clock changes. Each test failed against the code reviewed,
 * but those that say "still", which hold what the fix must keep.
 */

const MIN = 60_000;
const DAY = 86_400_000;
/** 14:00 UTC: 09:00 in New York, an hour after an 08:00 opening. */
const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const NY = {
  storeId: 'store-0001',
  region: 'us-east',
  timeZone: 'America/New_York',
  lanes: 4,
  openHours: { opens: '08:00', closes: '22:00' },
};
let seq = 0;
function status(deviceId: string, occurredAt: number): DeviceStatusEvent {
  return {
    schemaVersion: 1,
    type: 'device_status',
    eventId: ulid(Math.max(0, Math.min(occurredAt, 2 ** 48 - 1))),
    deviceId,
    occurredAt: new Date(occurredAt).toISOString(),
    seq: ++seq,
    storeId: 'store-0001',
    spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
    daemonVersion: '0.1.0',
    models: [],
  };
}
/** A status made at `occurredAt` by the device's clock that reached the stream at `arrivedAt`. */
const arrived = (deviceId: string, occurredAt: number, arrivedAt = occurredAt): ArrivedStatus => ({
  kind: 'panel',
  event: status(deviceId, occurredAt),
  arrivedAt,
});
/** Folds each step's statuses into the item in turn, as the processor's batches would. */
function fold(steps: readonly (readonly ArrivedStatus[])[]): StoreHealth {
  let health: StoreHealth | undefined;
  for (const step of steps) {
    const now = Math.max(...step.map((s) => s.arrivedAt));
    const { next } = mergeStatuses(health, NY, step, now);
    health = { ...next, version: next.version + 1 };
  }
  return health as StoreHealth;
}

describe('Hostile: gap days from device clocks', () => {
  it('marks no gap when a running daemon’s clock steps ahead between two statuses', () => {
    // Prepare: lane-a reports at 09:00, then 5 minutes later with its clock 3 days ahead (a
    // bad NTP answer, a hand-set date). Its daemon never stopped.
    const later = NOW + 5 * MIN;
    // Act
    const health = fold([[arrived('lane-a', NOW)], [arrived('lane-a', later + 3 * DAY, later)]]);
    // Assess
    expect(health.gapDays).toEqual([]);
  });

  it('marks no gap for a status that claims a year far in the future', () => {
    const later = NOW + 5 * MIN;
    const health = fold([
      [arrived('lane-a', NOW)],
      [arrived('lane-a', Date.parse('2999-01-01T00:00:00Z'), later)],
    ]);
    expect(health.gapDays).toEqual([]);
  });

  it('marks no gap when a PC boots with its clock years behind and NTP corrects it', () => {
    // A dead CMOS battery: the daemon restarts at 09:10 believing it is 2000-01-01; five
    // minutes later NTP has set the clock right. The daemon was down 10 minutes, not 26 years.
    const boot = NOW + 10 * MIN;
    const synced = boot + 5 * MIN;
    const health = fold([
      [arrived('lane-a', NOW)],
      [arrived('lane-a', Date.parse('2000-01-01T00:00:00Z'), boot)],
      [arrived('lane-a', synced)],
    ]);
    expect(health.gapDays).toEqual([]);
  });

  it('still marks a daemon down for two hours whose clock runs steadily ahead', () => {
    // The clock 10 minutes ahead throughout; no status from 09:00 to 11:00 (local).
    const ahead = 10 * MIN;
    const later = NOW + 2 * 3_600_000;
    const health = fold([
      [arrived('lane-a', NOW + ahead, NOW)],
      [arrived('lane-a', later + ahead, later)],
    ]);
    expect(health.gapDays).toEqual(['2026-12-02']);
  });

  it('still marks a daemon down for two hours whose statuses then wait out an uplink outage', () => {
    // Down 09:00-11:00 (local); its first status after the restart waits 30 minutes for the
    // uplink, with the next ones. The clock is right; the late arrival is no clock behind.
    const later = NOW + 2 * 3_600_000;
    const spooled = [0, 5, 10].map((m) =>
      arrived('lane-a', later + m * MIN, later + 30 * MIN + m * 1000),
    );
    const health = fold([[arrived('lane-a', NOW)], spooled]);
    expect(health.gapDays).toEqual(['2026-12-02']);
  });
});

describe('Hostile: a time zone the runtime does not know', () => {
  // `npm run register` validates a time zone with the Intl data of the Node it runs on; the
  // Lambda runtime's may be older (a zone added since), and an item edited by hand may have
  // anything. One such summary must not take down every organisation-wide answer.
  const unknownZone = { ...NY, storeId: 'store-mars', timeZone: 'Mars/Olympus_Mons' };

  it("leaves the scope's coverage to count a never-heard store in a zone it cannot place", () => {
    const summaries = [
      registeredCoverage(unknownZone, NOW - 2 * DAY),
      registeredCoverage(NY, NOW - 2 * DAY),
    ];
    const coverage = scopeCoverage(summaries, NOW, { from: '2026-11-30', to: '2026-12-02' });
    expect(coverage).toMatchObject({ stores: 2, storesWithGaps: 2, lanesRegistered: 8 });
    // The store in a known zone still names its days.
    expect(coverage.gapDays.map((g) => g.date)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
  });

  it("reports a store's health with a silent device in a zone it cannot place", () => {
    const { next } = mergeStatuses(undefined, NY, [arrived('lane-a', NOW - DAY)], NOW - DAY);
    const health = { ...next, profile: { ...next.profile, timeZone: 'Mars/Olympus_Mons' } };
    const report = storeHealthReport(health, NOW);
    expect(report).toMatchObject({ known: 1, reporting: 0, lanes: { missing: 4 } });
    expect(report.silent).toHaveLength(1);
  });
});

describe('Hostile: a store that replaced a PC', () => {
  // A lane's PC replaced by a new one (a new device id): the old one stays in the store's item,
  // silent for good, while the new one reports for its lane.
  const LANES = ['lane-1', 'lane-2', 'lane-3', 'lane-4'];
  const replaced = () =>
    fold([
      [arrived('panel-old', NOW - 60 * DAY)],
      LANES.map((lane) => arrived(lane, NOW - 5 * MIN)),
    ]);

  it('marks no day a gap while every registered lane reports', () => {
    const report = storeHealthReport(replaced(), NOW);
    expect(report.lanes).toMatchObject({ registered: 4, reporting: 4, missing: 0 });
    expect(report.gapDays).toEqual([]);
  });

  it('marks the days of the lane missing now, not those since the old PC went quiet', () => {
    // lane-4 falls silent at 09:00 local on 2026-12-01; the report is read a day later.
    const health = fold([
      [arrived('panel-old', NOW - 60 * DAY)],
      [arrived('lane-4', NOW - DAY)],
      LANES.slice(0, 3).map((lane) => arrived(lane, NOW - 5 * MIN)),
    ]);
    const report = storeHealthReport(health, NOW);
    expect(report.lanes.missing).toBe(1);
    expect(report.gapDays).toEqual(['2026-12-01', '2026-12-02']);
  });
});

describe('Hostile: the days the clocks change', () => {
  const walls = new Map<string, Intl.DateTimeFormat>();
  /** The local wall-clock time of an instant, `YYYY-MM-DD HH:MM`. */
  function wall(ms: number, timeZone: string): string {
    let format = walls.get(timeZone);
    if (format === undefined) {
      format = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
      walls.set(timeZone, format);
    }
    const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }
  /**
   * What localInstant promises, found the slow way: the first instant whose local time is the
   * one asked for or later (a repeated time's first occurrence; a skipped one's change).
   */
  function firstReaching(date: string, minutes: number, timeZone: string): number {
    const asUtc = Date.parse(`${date}T00:00:00Z`) + minutes * MIN;
    const target = new Date(asUtc).toISOString().slice(0, 16).replace('T', ' ');
    // Every offset is within 16 hours: step by quarter hours, then back by minutes.
    let t = asUtc - 16 * 3_600_000;
    while (wall(t, timeZone) < target) t += 15 * MIN;
    while (wall(t - MIN, timeZone) >= target) t -= MIN;
    return t;
  }
  // Each zone's changes in 2026 (and the day after each), some at midnight, some by 30 minutes.
  const CHANGES: Record<string, string[]> = {
    'America/New_York': ['2026-03-08', '2026-11-01'],
    'Europe/London': ['2026-03-29', '2026-10-25'],
    'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
    'America/Santiago': ['2026-04-04', '2026-09-05'],
    'America/Havana': ['2026-03-07', '2026-11-01'],
    'Asia/Kathmandu': ['2026-06-15'],
  };

  it('finds every quarter hour of those days where its store-local clock shows it', () => {
    const wrong: string[] = [];
    for (const [timeZone, days] of Object.entries(CHANGES)) {
      for (const day of days) {
        for (const date of [day, new Date(Date.parse(day) + DAY).toISOString().slice(0, 10)]) {
          for (let minutes = 0; minutes <= 1_440; minutes += 15) {
            const found = localInstant(date, minutes, timeZone);
            const expected = firstReaching(date, minutes, timeZone);
            if (found !== expected) {
              wrong.push(`${timeZone} ${date} +${minutes}m: ${wall(found, timeZone)}`);
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('does not open a store at 05:00 an hour early the night New York falls back', () => {
    // 2026-11-01, 05:00 EST is 10:00Z; at 09:30Z (04:30 local) it is not open yet.
    const hours = { opens: '05:00', closes: '23:00' };
    expect(openSince(Date.parse('2026-11-01T09:30:00Z'), 'America/New_York', hours)).toBe(
      undefined,
    );
    expect(openSince(Date.parse('2026-11-01T10:30:00Z'), 'America/New_York', hours)).toBe(
      Date.parse('2026-11-01T10:00:00Z'),
    );
  });
});
