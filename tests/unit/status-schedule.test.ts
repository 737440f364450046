import { describe, expect, it } from 'vitest';
import { STATUS_LAG_MS, StatusSchedule, type StatusSender } from '#simulator';
import { statusPhaseMs } from '#utils';

const devices: StatusSender[] = Array.from({ length: 40 }, (_, i) => ({
  deviceId: `panel-store-0001-lane-${String(i + 1).padStart(2, '0')}`,
  storeId: 'store-0001',
}));
const INTERVAL = 300_000;

/** Every status a schedule hands out up to `untilMs`, asked every `stepMs`, with the time asked. */
function drain(schedule: StatusSchedule, untilMs: number, stepMs = 1_000) {
  const out: { deviceId: string; at: number }[] = [];
  for (let t = 0; t <= untilMs; t += stepMs)
    for (const d of schedule.due(t)) out.push({ deviceId: d.deviceId, at: t });
  return out;
}

describe('Class: StatusSchedule', () => {
  it("sends each device once in its first interval, a store's together, the stores spread", () => {
    // Act
    const first = drain(
      new StatusSchedule({ devices, intervalMs: INTERVAL, seed: 19 }),
      INTERVAL - 1,
    );

    // Assess: every device once, within STATUS_LAG_MS of its store's phase (asked once a
    // second, so a second later at most).
    expect(first.map((s) => s.deviceId).sort()).toEqual(devices.map((d) => d.deviceId).sort());
    const times = first.map((s) => s.at);
    const phase = statusPhaseMs('store-0001', INTERVAL);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(phase);
      expect(t).toBeLessThanOrEqual(phase + STATUS_LAG_MS + 1_000);
    }
    const stores = Array.from({ length: 50 }, (_, i) => ({
      deviceId: `gateway-store-${i}`,
      storeId: `store-${String(i).padStart(4, '0')}`,
    }));
    const spread = drain(
      new StatusSchedule({ devices: stores, intervalMs: INTERVAL, seed: 19 }),
      INTERVAL - 1,
    ).map((s) => s.at);
    expect(Math.max(...spread) - Math.min(...spread)).toBeGreaterThan(INTERVAL / 2);
  });

  it('sends each device again every interval after its first', () => {
    const all = drain(
      new StatusSchedule({ devices, intervalMs: INTERVAL, seed: 19 }),
      3 * INTERVAL - 1,
    );

    for (const d of devices) {
      const at = all.filter((s) => s.deviceId === d.deviceId).map((s) => s.at);
      expect(at).toHaveLength(3);
      const [a, b, c] = at as [number, number, number];
      // Asked once a second: each status within a second of its slot.
      expect(Math.abs(b - a - INTERVAL)).toBeLessThanOrEqual(1_000);
      expect(Math.abs(c - b - INTERVAL)).toBeLessThanOrEqual(1_000);
    }
  });

  it('hands out what fell due between two asks all at once, never twice', () => {
    const schedule = new StatusSchedule({ devices, intervalMs: INTERVAL, seed: 19 });

    const late = schedule.due(2 * INTERVAL - 1);

    expect(late).toHaveLength(2 * devices.length);
    expect(schedule.due(2 * INTERVAL - 1)).toEqual([]);
  });

  it('gives the same offsets for the same seed, and others for another', () => {
    const at = (seed: number) =>
      drain(new StatusSchedule({ devices, intervalMs: INTERVAL, seed }), INTERVAL - 1, 10);

    expect(at(19)).toEqual(at(19));
    expect(at(19)).not.toEqual(at(20));
  });

  it('stops a device after the statuses it is allowed, and only that device', () => {
    const quiet = devices[3] as StatusSender;
    const schedule = new StatusSchedule({
      devices,
      intervalMs: INTERVAL,
      seed: 19,
      stopAfter: new Map([[quiet.deviceId, 1]]),
    });

    const all = drain(schedule, 4 * INTERVAL);

    expect(all.filter((s) => s.deviceId === quiet.deviceId)).toHaveLength(1);
    expect(all.filter((s) => s.deviceId === (devices[4] as StatusSender).deviceId)).toHaveLength(4);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new StatusSchedule({ devices, intervalMs: 0, seed: 1 })).toThrow(RangeError);
  });
});
