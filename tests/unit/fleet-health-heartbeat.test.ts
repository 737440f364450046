import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import {
  type ArrivedStatus,
  mergeStatuses,
  type StoreHealth,
  storeHealthReport,
} from '../../functions/domain/fleet-health.js';

/**
 * The 10-minute heartbeat's misses, replayed through the processor's merge: a store whose
 * daemons restarted between two heartbeats, a failed write of its item, a daemon down for
 * minutes between two heartbeats. Each is a claim of architecture.md (Fleet health).
 *
 * A daemon on its 10-minute heartbeat whose entry was written off the heartbeat's rhythm: its
 * start status after an upgrade (a new version is material, so it is written at once), made
 * when the daemon starts, not at its store's phase. The next heartbeat comes less than
 * RESEEN_AFTER_MS later and is not written; the one after comes 10 minutes later still.
 */
const H = Date.parse('2026-12-04T14:00:00.000Z');
const STORE = { storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' };
const min = (m: number) => H + m * 60_000;
const LANES = Array.from(
  { length: 4 },
  (_, i) => `panel-store-0001-lane-${String(i + 1).padStart(2, '0')}`,
);
let seq = 0;
function statuses(at: number, daemonVersion: string): ArrivedStatus[] {
  return LANES.map((deviceId) => {
    const event: DeviceStatusEvent = {
      schemaVersion: 1,
      type: 'device_status',
      eventId: ulid(at),
      deviceId,
      occurredAt: new Date(at).toISOString(),
      seq: ++seq,
      storeId: STORE.storeId,
      spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
      daemonVersion,
      models: [{ name: 'shrink-vision', version: '4.2.1' }],
    };
    return { kind: 'panel' as const, event, arrivedAt: at };
  });
}

describe('fleet health on the 10-minute heartbeat', () => {
  it('never shows a live store silent after its daemons restart between heartbeats (an upgrade)', () => {
    let stored: StoreHealth | undefined;
    const merge = (batch: ArrivedStatus[], at: number) => {
      const merged = mergeStatuses(stored, STORE, batch, at);
      if (merged.write) stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
      return merged.write;
    };
    // Heartbeats at H - 10 and H, each written (the second as RESEEN_AFTER_MS old).
    merge(statuses(min(-10), '0.1.0'), min(-10) + 5_000);
    expect(merge(statuses(min(0), '0.1.0'), min(0) + 5_000)).toBe(true);
    // The store's PCs take an upgrade and restart at H + 3: each daemon's start status names
    // the new version, which is written at once.
    expect(merge(statuses(min(3), '0.2.0'), min(3) + 5_000)).toBe(true);
    // H + 5: no news, nothing sent. H + 10: the heartbeat, merged at once (a batch that filled
    // quickly): its entry 7 minutes old, no refresh due (the last write was at H + 3).
    merge(statuses(min(10), '0.2.0'), min(10) + 5_000);
    // H + 15: no news, nothing sent. H + 20: the heartbeat, in a batch that waits out its
    // 300-second window (it is merged at H + 25).
    const before = stored as StoreHealth;
    // Between H + 23 and that merge, every lane of this live store reads as silent.
    const worst = Math.max(
      ...[23, 23.5, 24, 24.5, 24.9].map((m) => storeHealthReport(before, min(m)).silent.length),
    );
    merge(statuses(min(20), '0.2.0'), min(25));
    expect(worst).toBe(0);
  });
});

describe('fleet health writes on the 10-minute heartbeat', () => {
  it('writes statuses 5 minutes apart every other time in batches of a minute, every time in batches of 5 (architecture.md)', async () => {
    const { quietHealthWrites } = await import('../bench/fleet-health-quiet.js');
    // A store's 40 daemons set to send every status (or news every time), aligned to their
    // store's phase: one write every 10 minutes is 0.1 a minute.
    const shape = { devices: 40, statusIntervalMs: 300_000, alignedWithinMs: 45_000, minutes: 180 };
    expect(quietHealthWrites({ ...shape, batchMs: 60_000 })).toBeLessThanOrEqual(0.1);
    expect(quietHealthWrites({ ...shape, batchMs: 300_000 })).toBeCloseTo(0.2, 2);
    // On the heartbeat, the refresh's rhythm alone in either.
    for (const batchMs of [60_000, 300_000])
      expect(
        quietHealthWrites({ ...shape, statusIntervalMs: 600_000, batchMs }),
      ).toBeLessThanOrEqual(0.1);
  });

  it("keeps a live store reporting when one of its item's writes fails (best effort: the next status says it again)", () => {
    let stored: StoreHealth | undefined;
    const merge = (batch: ArrivedStatus[], at: number, fails = false) => {
      const merged = mergeStatuses(stored, STORE, batch, at);
      if (merged.write && !fails) stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
      return merged.write;
    };
    merge(statuses(min(-10), '0.1.0'), min(-10) + 60_000);
    // The heartbeat at H is due a write, which fails (throttled, or lost to conflicts).
    expect(merge(statuses(min(0), '0.1.0'), min(0) + 60_000, true)).toBe(true);
    // The next status is the heartbeat at H + 10 (its timer 200 ms late), in a 60-second batch.
    const before = stored as StoreHealth;
    const silent = storeHealthReport(before, min(10) + 30_000).silent.length;
    merge(statuses(min(10) + 200, '0.1.0'), min(10) + 60_000);
    expect({ silent, gapDays: stored?.gapDays }).toEqual({ silent: 0, gapDays: [] });
  });
});

describe('fleet health and a heartbeat the daemon config takes', () => {
  it('refuses a heartbeatMs over 10 minutes, past which a live device could read as silent', async () => {
    const { DaemonConfig } = await import('../../edge-client/src/cli/daemon-config.js');
    const parse = (heartbeatMs: number) =>
      DaemonConfig.safeParse({
        streamName: 's',
        deviceId: 'd',
        spool: { dir: '/tmp/x' },
        deviceStatus: { storeId: STORE.storeId, heartbeatMs },
      }).success;
    expect(parse(600_000)).toBe(true);
    expect(parse(900_000)).toBe(false);
    expect(parse(1_800_000)).toBe(false);
  });
});

describe('gap days on the 10-minute heartbeat', () => {
  it('marks no gap day for a daemon down 11 minutes between heartbeats, nor for one status missing', () => {
    // Its heartbeat at H, nothing new at H + 5 (no status), stopped at H + 9.5 and started
    // again at H + 20.5: down 11 minutes, its start status 20.5 minutes after its last.
    let stored: StoreHealth | undefined;
    for (const at of [min(-10), min(0), min(20.5)]) {
      const merged = mergeStatuses(stored, STORE, statuses(at, '0.1.0').slice(0, 1), at + 5_000);
      if (merged.write) stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
    }
    expect(stored?.gapDays).toEqual([]);
  });
});
