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

/**
 * Hostile review of the coverage, gap-day and fleet-watch change (issue 22): statuses from a
 * registered device whose clock is wrong or jumps, and stores the runtime cannot place in time. Each test failed against the code reviewed,
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
