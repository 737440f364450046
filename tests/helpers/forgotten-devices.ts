import { ulid } from 'ulid';
import type { DetectionEvent } from '#contract';
import { encodeAggregate, signRecord } from '#wire';
import { detection, testKeys, testSigner } from './factories.js';

/**
 * A store with forgotten devices, for the replay tests: lane 01 is registered and counts;
 * lanes 09 (and, with `archiveOnlyLane`, 07) were never registered, so their records, signed
 * with their own keys, are dead-lettered as unknown_key; lane 08's event comes through the
 * registered store gateway beside a lane 01 event, and is dead-lettered as unknown_device
 * while the other counts. `at` is when the events happened (within the late-event horizon).
 */
export function forgottenDevices(at: number, options: { archiveOnlyLane?: boolean } = {}) {
  const store = 'store-0001';
  let seq = 1_000;
  const event = (deviceId: string, lossCents: number): DetectionEvent =>
    detection({
      deviceId,
      storeId: store,
      eventId: ulid(at),
      detectionId: ulid(at),
      occurredAt: new Date(at).toISOString(),
      seq: ++seq,
      estimatedLossCents: lossCents,
    });
  const json = (e: unknown) => Buffer.from(JSON.stringify(e));
  const own = (e: DetectionEvent) => signRecord(json(e), testSigner(e.deviceId));
  const counted = [event('panel-store-0001-lane-01', 100), event('panel-store-0001-lane-01', 200)];
  const lane09 = [300, 400, 500].map((c) => event('panel-store-0001-lane-09', c));
  const viaGateway = [
    event('panel-store-0001-lane-01', 600),
    event('panel-store-0001-lane-08', 700),
  ];
  const lane07 = options.archiveOnlyLane === true ? [event('panel-store-0001-lane-07', 800)] : [];
  const all = [...counted, ...lane09, ...viaGateway, ...lane07];
  return {
    store,
    /** Every event, and their loss: what the figures hold once every device is registered. */
    all,
    trueLossCents: all.reduce((sum, e) => sum + e.estimatedLossCents, 0),
    /** The stream's records, in order. */
    records: () => [
      ...counted.map(own),
      ...lane09.map(own),
      signRecord(
        encodeAggregate(viaGateway.map((e) => ({ partitionKey: store, data: json(e) }))),
        testSigner('gateway-store-0001'),
      ),
      ...lane07.map(own),
    ],
    /** The fix: the forgotten lanes' registry entries, with their keys. */
    registrations: () =>
      ['lane-09', 'lane-08', ...(lane07.length > 0 ? ['lane-07'] : [])].map((lane) => {
        const deviceId = `panel-store-0001-${lane}`;
        return { deviceId, kind: 'panel' as const, storeId: store, keys: testKeys(deviceId) };
      }),
  };
}
