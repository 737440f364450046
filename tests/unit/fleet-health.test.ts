import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import { parseTelemetryEvent } from '#contract';
import {
  byAttention,
  coverageSummary,
  DARK_AFTER_MS,
  MAX_DEVICES_PER_STORE,
  mergeStatuses,
  REFRESH_AFTER_MS,
  routeStatus,
  SILENT_AFTER_MS,
  scopeCoverage,
  storeHealthReport,
} from '../../functions/domain/fleet-health.js';
import { REGISTRY } from '../helpers/factories.js';

const NOW = Date.parse('2026-12-02T14:00:00.000Z');
const STORE = { storeId: 'store-0001', region: 'us-east' };
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
    expect(routeStatus(status(), registry)).toEqual({ ok: true, ...STORE });
    expect(routeStatus(status({ deviceId: 'gateway-store-0001' }), registry)).toMatchObject({
      ok: true,
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
    const first = mergeStatuses(undefined, STORE, [{ event: status(), arrivedAt: NOW }], NOW);
    expect(first.write).toBe(true);
    // A status made "later" by a clock a day ahead, but that arrived earlier, does not win.
    const ahead = status({ spool: { bytes: 900, oldestUnsentAgeSeconds: 600 } }, NOW + 86_400_000);
    const merged = mergeStatuses(
      first.next,
      STORE,
      [{ event: ahead, arrivedAt: NOW - 1_000 }],
      NOW,
    );
    expect(merged.next.devices['panel-store-0001-lane-01']?.spoolBytes).toBe(0);
    expect(merged.write).toBe(false);
  });

  it('writes again only for a material change or when the refresh is due', () => {
    const first = mergeStatuses(undefined, STORE, [{ event: status(), arrivedAt: NOW }], NOW);
    const stored = { ...first.next, version: 1 };
    const same = status({}, NOW + 60_000);
    expect(
      mergeStatuses(stored, STORE, [{ event: same, arrivedAt: NOW + 60_000 }], NOW + 60_000).write,
    ).toBe(false);
    const backlog = status({ spool: { bytes: 5_000, oldestUnsentAgeSeconds: 900 } }, NOW + 60_000);
    expect(
      mergeStatuses(stored, STORE, [{ event: backlog, arrivedAt: NOW + 60_000 }], NOW + 60_000)
        .write,
    ).toBe(true);
    const upgraded = status({ daemonVersion: '0.2.0' }, NOW + 60_000);
    expect(
      mergeStatuses(stored, STORE, [{ event: upgraded, arrivedAt: NOW + 60_000 }], NOW + 60_000)
        .write,
    ).toBe(true);
    const later = NOW + REFRESH_AFTER_MS;
    expect(
      mergeStatuses(stored, STORE, [{ event: status({}, later), arrivedAt: later }], later).write,
    ).toBe(true);
    expect(mergeStatuses(stored, STORE, [], NOW + 1_000).next.version).toBe(1);
  });

  it('bounds the devices one store keeps to the most recently seen', () => {
    const many = Array.from({ length: MAX_DEVICES_PER_STORE + 10 }, (_, i) => ({
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
        { event: status({ deviceId: 'lane-a' }, at(60_000)), arrivedAt: at(60_000) },
        {
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
    const summary = (storeId: string, over: Partial<ReturnType<typeof coverageSummary>> = {}) => ({
      storeId,
      region: 'us-east',
      known: 40,
      reporting: 40,
      silent: 0,
      completeThrough: NOW - 60_000,
      writtenAt: NOW - 60_000,
      ...over,
    });

    const coverage = scopeCoverage(
      [
        summary('a'),
        summary('b', { reporting: 38, silent: 2, completeThrough: NOW - 600_000 }),
        summary('c', { writtenAt: NOW - DARK_AFTER_MS - 1, completeThrough: NOW - 86_400_000 }),
      ],
      NOW,
    );

    expect(coverage).toEqual({
      asOf: new Date(NOW).toISOString(),
      stores: 3,
      storesReporting: 2,
      storesWithGaps: 2,
      devicesKnown: 120,
      devicesReporting: 78,
      completeThrough: new Date(NOW - 600_000).toISOString(),
    });
    expect(scopeCoverage([], NOW)).toMatchObject({ stores: 0, storesWithGaps: 0 });
  });

  it("summarises a store's item as of its write", () => {
    const { next } = mergeStatuses(
      undefined,
      STORE,
      [
        { event: status({ deviceId: 'lane-a' }), arrivedAt: NOW },
        { event: status({ deviceId: 'lane-b' }, NOW - 3_600_000), arrivedAt: NOW - 3_600_000 },
      ],
      NOW,
    );
    expect(coverageSummary(next)).toEqual({
      ...STORE,
      known: 2,
      reporting: 1,
      silent: 1,
      completeThrough: NOW,
      writtenAt: NOW,
    });
  });
});
