import { describe, expect, it } from 'vitest';
import { type DueStatus, STATUS_LAG_MS, StatusSchedule, type StatusSender } from '#simulator';
import { isHeartbeatInstant, statusPhaseMs } from '#utils';

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

  it("marks a status between heartbeats onlyNews, each store's devices alike, the first never", () => {
    const stores = ['store-0001', 'store-0002', 'store-0003', 'store-0004'].flatMap((storeId) =>
      Array.from({ length: 5 }, (_, i) => ({ deviceId: `panel-${storeId}-lane-${i}`, storeId })),
    );
    const schedule = new StatusSchedule({
      devices: stores,
      intervalMs: INTERVAL,
      heartbeatMs: 2 * INTERVAL,
      seed: 19,
    });
    const all: DueStatus[][] = [];
    for (let round = 0; round < 6; round++) all.push(schedule.due((round + 1) * INTERVAL - 1));

    for (const d of stores) {
      const flags = all.map((r) => r.find((s) => s.deviceId === d.deviceId)?.onlyNews);
      // Its first is sent; then heartbeats alternate with statuses sent only with news.
      expect(flags[0]).toBe(false);
      const later = flags.slice(1);
      expect(later.filter((f) => f === false).length).toBeGreaterThanOrEqual(2);
      for (let i = 2; i < flags.length; i++) expect(flags[i]).toBe(!flags[i - 1]);
      // The same as its daemon's clock would say, counted from the run's start.
      const phase = statusPhaseMs(d.storeId, INTERVAL);
      for (let i = 1; i < flags.length; i++)
        expect(flags[i]).toBe(!isHeartbeatInstant(phase + i * INTERVAL, d.storeId, 2 * INTERVAL));
    }
    // A store's devices agree in every round.
    for (const round of all)
      for (const s of round)
        expect(round.find((o) => o.storeId === s.storeId)?.onlyNews).toBe(s.onlyNews);
    // Without a heartbeat, every status is one.
    const plain = drain(
      new StatusSchedule({ devices, intervalMs: INTERVAL, seed: 19 }),
      3 * INTERVAL,
    );
    expect(plain.length).toBeGreaterThan(0);
    expect(
      new StatusSchedule({ devices, intervalMs: INTERVAL, seed: 19 })
        .due(3 * INTERVAL)
        .every((s) => !s.onlyNews),
    ).toBe(true);
  });

  it('refuses an interval that is not positive, and a heartbeat that is no multiple of it', () => {
    expect(() => new StatusSchedule({ devices, intervalMs: 0, seed: 1 })).toThrow(RangeError);
    expect(
      () =>
        new StatusSchedule({ devices, intervalMs: INTERVAL, heartbeatMs: 1.5 * INTERVAL, seed: 1 }),
    ).toThrow(RangeError);
    expect(
      () =>
        new StatusSchedule({ devices, intervalMs: INTERVAL, heartbeatMs: INTERVAL / 2, seed: 1 }),
    ).toThrow(RangeError);
  });
});
