import { describe, expect, it } from 'vitest';
import { defineFleet, FleetSimulator } from '#simulator';
import { checkEventTime, DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { defaultDayMinutes, soakCalendar } from '../faults/soak-calendar.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-30T04:00:00Z');

/** A simulator on the soak's calendar, with a real clock the test moves. */
function simulatedRun(minutes: number, dayMinutes: number) {
  let real = T0;
  const calendar = soakCalendar({ minutes, dayMinutes, clock: () => real });
  const simulator = new FleetSimulator({
    fleet: defineFleet({ stores: 3, lanesPerStore: 2, seed: 7 }),
    seed: 7,
    baselines: DEFAULT_BASELINES,
    resendRate: 0,
    now: calendar.now,
  });
  return {
    calendar,
    /** The events sent at `atMinute` of the run, as the processor judges them on arrival. */
    sendAt(atMinute: number, arrivalDelayMs = 0) {
      real = T0 + atMinute * MINUTE;
      const events = simulator.next(50);
      return events.map((e) => checkEventTime(e, real + arrivalDelayMs, DEFAULT_EVENT_TIME_RULES));
    },
    pending: () => simulator.drainPending(),
    setReal: (ms: number) => {
      real = ms;
    },
  };
}

describe('Soak calendar', () => {
  it('plays one store day per dayMinutes, ending an hour before the run does', () => {
    const run = simulatedRun(10, 1);
    expect(run.calendar.speed).toBe(1440);
    expect(run.calendar.now()).toBe(T0 + 10 * MINUTE - 3_600_000 - 10 * 86_400_000);
    run.setReal(T0 + 10 * MINUTE);
    expect(run.calendar.now()).toBe(T0 + 10 * MINUTE - 3_600_000);
  });

  it('keeps every event of a run inside the processor event-time window', () => {
    for (const [minutes, dayMinutes] of [
      [10, 1],
      [33, 1],
      [60, defaultDayMinutes(60)],
      [240, defaultDayMinutes(240)],
    ] as const) {
      const run = simulatedRun(minutes, dayMinutes);
      // The first events, arriving at once; the last, arriving two minutes after the run ends.
      // (`next(50)` can give 51: an outcome sent before its detection comes as a pair.)
      const refused = (checks: readonly unknown[]) => checks.filter((c) => c !== undefined);
      const first = run.sendAt(0);
      const last = run.sendAt(minutes, 2 * MINUTE);
      expect(first.length).toBeGreaterThanOrEqual(50);
      expect(refused(first)).toEqual([]);
      expect(last.length).toBeGreaterThanOrEqual(50);
      expect(refused(last)).toEqual([]);
    }
  });

  it('keeps outcomes still pending at the end inside the window when they are sent late', () => {
    const run = simulatedRun(30, 1);
    run.sendAt(0);
    const pending = run.pending();
    expect(pending.length).toBeGreaterThan(0);
    const arrival = T0 + 35 * MINUTE;
    for (const e of pending)
      expect(checkEventTime(e, arrival, DEFAULT_EVENT_TIME_RULES)).toBeUndefined();
  });

  it('the real clock (dayMinutes 0) is the clock itself', () => {
    const calendar = soakCalendar({ minutes: 10, dayMinutes: 0, clock: () => T0 });
    expect(calendar.speed).toBe(1);
    expect(calendar.now()).toBe(T0);
  });

  it('refuses a calendar past the horizon, naming the day length that fits', () => {
    expect(() => soakCalendar({ minutes: 60, dayMinutes: 1 })).toThrow(
      /spans 60 days.*use --day-minutes 2 or more/,
    );
    expect(() => soakCalendar({ minutes: 10, dayMinutes: -1 })).toThrow(/--day-minutes/);
    expect(() => soakCalendar({ minutes: 0, dayMinutes: 1 })).toThrow(/--minutes/);
  });

  it('defaults to one-minute days, longer only when the run would not fit', () => {
    expect([10, 33, 34, 66, 600].map(defaultDayMinutes)).toEqual([1, 1, 2, 2, 19]);
    for (const minutes of [34, 600])
      expect(() => soakCalendar({ minutes, dayMinutes: defaultDayMinutes(minutes) })).not.toThrow();
  });
});
