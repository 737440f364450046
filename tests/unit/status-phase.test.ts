import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atStatusPhase, isHeartbeatInstant, nextStatusAt, statusPhaseMs } from '#utils';

const INTERVAL = 300_000;

describe("Function: statusPhaseMs (when a store's daemons report)", () => {
  it('is one phase a store, within the interval, the same every time', () => {
    const phase = statusPhaseMs('store-0001', INTERVAL);
    expect(phase).toBeGreaterThanOrEqual(0);
    expect(phase).toBeLessThan(INTERVAL);
    expect(statusPhaseMs('store-0001', INTERVAL)).toBe(phase);
  });

  it("spreads a fleet's stores over the interval", () => {
    const phases = Array.from({ length: 1_000 }, (_, i) =>
      statusPhaseMs(`store-${String(i).padStart(4, '0')}`, INTERVAL),
    );
    // Each fifth of the interval holds between 15% and 25% of the stores.
    for (let k = 0; k < 5; k++) {
      const inFifth = phases.filter((p) => Math.floor(p / (INTERVAL / 5)) === k).length;
      expect(inFifth).toBeGreaterThan(150);
      expect(inFifth).toBeLessThan(250);
    }
  });

  it('refuses an interval that is not a positive whole number of ms', () => {
    expect(() => statusPhaseMs('store-0001', 0)).toThrow(RangeError);
    expect(() => statusPhaseMs('store-0001', 1.5)).toThrow(RangeError);
  });
});

describe('Function: nextStatusAt', () => {
  it("is the first instant after now at the store's phase", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 10_000, max: 3_600_000 }),
        (now, storeId, interval) => {
          const next = nextStatusAt(now, storeId, interval);
          expect(next).toBeGreaterThan(now);
          expect(next).toBeLessThanOrEqual(now + interval);
          expect(next % interval).toBe(statusPhaseMs(storeId, interval));
        },
      ),
    );
  });

  it('gives every daemon of one store the same instants, whenever each started', () => {
    const a = nextStatusAt(Date.parse('2026-12-03T10:00:01.000Z'), 'store-0042', INTERVAL);
    const b = nextStatusAt(Date.parse('2026-12-03T10:03:59.000Z'), 'store-0042', INTERVAL);
    expect([a, a + INTERVAL]).toContain(b);
  });
});

describe('Function: isHeartbeatInstant (when a daemon with no news still reports)', () => {
  it("is one of every n instants of the store's phase, for a heartbeat n intervals long", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 10_000, max: 600_000 }),
        fc.integer({ min: 1, max: 6 }),
        (now, storeId, interval, n) => {
          const first = nextStatusAt(now, storeId, interval);
          const beats = Array.from({ length: n }, (_, k) =>
            isHeartbeatInstant(first + k * interval, storeId, n * interval),
          );
          expect(beats.filter(Boolean)).toHaveLength(1);
          // The next n instants repeat the pattern: one every heartbeat.
          const again = Array.from({ length: n }, (_, k) =>
            isHeartbeatInstant(first + (n + k) * interval, storeId, n * interval),
          );
          expect(again).toEqual(beats);
        },
      ),
    );
  });

  it('gives every daemon of one store the same heartbeats, and other stores others', () => {
    const at = nextStatusAt(Date.parse('2026-12-03T10:00:00.000Z'), 'store-0042', INTERVAL);
    const beat = isHeartbeatInstant(at, 'store-0042', 2 * INTERVAL) ? at : at + INTERVAL;
    expect(isHeartbeatInstant(beat, 'store-0042', 2 * INTERVAL)).toBe(true);
    expect(isHeartbeatInstant(beat + INTERVAL, 'store-0042', 2 * INTERVAL)).toBe(false);
    const stores = Array.from({ length: 200 }, (_, i) => `store-${String(i).padStart(4, '0')}`);
    const onEvenInstants = stores.filter((storeId) => {
      const first = nextStatusAt(0, storeId, INTERVAL);
      return isHeartbeatInstant(first, storeId, 2 * INTERVAL);
    }).length;
    // About half the fleet beats on each of the two instants.
    expect(onEvenInstants).toBeGreaterThan(70);
    expect(onEvenInstants).toBeLessThan(130);
  });
});

describe("Function: atStatusPhase (the daemon's status timer)", () => {
  afterEach(() => vi.useRealTimers());

  it('passes each call the instant it aimed at, however late its timer fires', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-03T10:00:01.234Z') });
    const aimed: number[] = [];
    const timer = atStatusPhase('store-0042', INTERVAL, (at) => aimed.push(at));
    vi.advanceTimersByTime(2 * INTERVAL);
    timer.stop();
    expect(aimed).toHaveLength(2);
    for (const at of aimed) expect(at % INTERVAL).toBe(statusPhaseMs('store-0042', INTERVAL));
    expect((aimed[1] ?? 0) - (aimed[0] ?? 0)).toBe(INTERVAL);
  });

  it("calls at every instant of the store's phase, never off it, until stopped", () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-03T10:00:01.234Z') });
    const calls: number[] = [];
    const timer = atStatusPhase('store-0042', INTERVAL, () => calls.push(Date.now()));

    vi.advanceTimersByTime(3 * INTERVAL);
    expect(calls).toHaveLength(3);
    for (const at of calls) expect(at % INTERVAL).toBe(statusPhaseMs('store-0042', INTERVAL));

    timer.stop();
    vi.advanceTimersByTime(2 * INTERVAL);
    expect(calls).toHaveLength(3);
  });

  it('finds the phase again after the clock is stepped', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-03T10:00:00.000Z') });
    const calls: number[] = [];
    const timer = atStatusPhase('store-0042', INTERVAL, () => calls.push(Date.now()));
    vi.advanceTimersByTime(INTERVAL);
    // NTP steps the clock 40 s ahead between two statuses.
    vi.setSystemTime(Date.now() + 40_000);
    vi.advanceTimersByTime(2 * INTERVAL);
    timer.stop();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect((calls.at(-1) ?? -1) % INTERVAL).toBe(statusPhaseMs('store-0042', INTERVAL));
  });

  it('calls once for an instant when the clock is slewed back a little after it, and goes on when stepped back hours', () => {
    const phase = statusPhaseMs('store-0042', INTERVAL);
    const base = Date.parse('2026-12-03T10:00:00.000Z');
    const first = base - (base % INTERVAL) + phase + INTERVAL;
    vi.useFakeTimers({ now: first - 1_000 });
    const calls: number[] = [];
    const timer = atStatusPhase('store-0042', INTERVAL, () => calls.push(Date.now()));
    vi.advanceTimersByTime(1_000);
    expect(calls).toEqual([first]);
    // NTP slews the clock 50 ms back right after the call: no second call for that instant.
    vi.setSystemTime(Date.now() - 50);
    vi.advanceTimersByTime(INTERVAL - 1_000);
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(1_100);
    expect(calls).toHaveLength(2);
    // Stepped back two hours: it goes on within an interval, on the phase.
    vi.setSystemTime(Date.now() - 7_200_000);
    vi.advanceTimersByTime(INTERVAL);
    timer.stop();
    expect(calls).toHaveLength(3);
    expect((calls.at(-1) ?? -1) % INTERVAL).toBe(phase);
  });
});
