/**
 * How often a store's fleet health item is written when nothing about its devices changes:
 * the statuses of a store's devices, each every `statusIntervalMs` (at the store's phase,
 * spread over `alignedWithinMs`, as daemons send them; or each at its own offset),
 * replayed through the processor's own merge (mergeStatuses) in batches of `batchMs`, the item
 * kept only when the merge says write. The refresh alone would be one write every
 * REFRESH_AFTER_MS; the writes that keep every live device's entry younger than
 * RESEEN_AFTER_MS (so that none reads as silent) add to it, and how much depends on the
 * devices, the interval and the batches, so it is replayed rather than guessed.
 */
import { ulid } from 'ulid';
import type { DeviceStatusEvent } from '#contract';
import { seededRandom } from '#simulator';
import { mergeStatuses, type StoreHealth } from '../../functions/domain/fleet-health.js';

export interface QuietShape {
  /** Devices sending statuses in one store (lanes, and a gateway if any). */
  readonly devices: number;
  readonly statusIntervalMs: number;
  /** A processor batch's span (the event source's batching window; at least 1 s). */
  readonly batchMs: number;
  /** How long to replay (default 6 hours of the store's time). */
  readonly minutes?: number;
  readonly seed?: number;
  /**
   * Devices aligned to one phase a store (the daemons' status clock, daemon.ts), each off it by
   * up to this much (clocks, start-up); absent: each device at its own random offset.
   */
  readonly alignedWithinMs?: number;
}

/** Writes of one store's item a minute, over the replay after its first hour. */
export function quietHealthWrites(shape: QuietShape): number {
  const batchMs = Math.max(1_000, shape.batchMs);
  const minutes = shape.minutes ?? 360;
  const t0 = Date.parse('2026-12-02T08:00:00.000Z');
  const random = seededRandom(shape.seed ?? 19);
  const devices = Array.from({ length: shape.devices }, (_, i) => ({
    deviceId: `panel-store-q-lane-${i}`,
    next:
      t0 +
      (shape.alignedWithinMs === undefined
        ? Math.floor(random() * shape.statusIntervalMs)
        : Math.floor(random() * shape.alignedWithinMs)),
  }));
  const store = { storeId: 'store-q', region: 'quiet', timeZone: 'UTC' };
  let stored: StoreHealth | undefined;
  let seq = 0;
  let writes = 0;
  const warmUpEnd = t0 + 60 * 60_000;
  const end = t0 + minutes * 60_000;
  for (let from = t0; from < end; from += batchMs) {
    const to = from + batchMs;
    const batch = [];
    for (const device of devices) {
      while (device.next < to) {
        const event: DeviceStatusEvent = {
          schemaVersion: 1,
          type: 'device_status',
          eventId: ulid(device.next),
          deviceId: device.deviceId,
          occurredAt: new Date(device.next).toISOString(),
          seq: ++seq,
          storeId: store.storeId,
          spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
          daemonVersion: '0.1.0',
          models: [{ name: 'shrink-vision', version: '4.2.1' }],
        };
        batch.push({ kind: 'panel' as const, event, arrivedAt: device.next + 2_000 });
        device.next += shape.statusIntervalMs;
      }
    }
    const merged = mergeStatuses(stored, store, batch, to + 5_000);
    if (merged.write) {
      stored = { ...merged.next, version: (stored?.version ?? 0) + 1 };
      if (from >= warmUpEnd) writes++;
    }
  }
  return writes / Math.max(1, minutes - 60);
}
