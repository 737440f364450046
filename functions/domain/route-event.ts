import { decodeTime } from 'ulid';
import type { DeviceStatusEvent, TelemetryEvent } from '#contract';
import { type HomeKey, SLOT_MINUTES, shardOf, TEAM_WEEK_PARTS } from './aggregate-keys.js';
import { isoWeekOfInstant, localSlot } from './calendar.js';
import type { RegistryView } from './registry-types.js';

/** Why a record can never be counted; each reason sends it to the dead-letter table. */
export type PoisonReason =
  | 'undecodable'
  | 'schema_violation'
  | 'unknown_device'
  | 'unknown_store'
  | 'store_mismatch'
  | 'team_mismatch'
  | 'clock_skew'
  | 'too_old'
  /** The DynamoDB aggregate item the event counts in reached the 400 KB item limit. */
  | 'aggregate_too_large'
  /** A record past what any honest producer sends (see decode-record.ts): refused whole. */
  | 'oversized_record'
  /** A record without a signature, where the processor refuses those (signature-check.ts). */
  | 'unsigned'
  /** A signature that does not verify under the key the record names. */
  | 'bad_signature'
  /** A signer that is not registered, or a key it does not hold or that is not valid then. */
  | 'unknown_key'
  /** An event the record's signer may not carry (another device's, another store's). */
  | 'signer_mismatch';

/** The events that count in the figures: everything but a device's status (fleet-health.ts). */
export type CountedEvent = Exclude<TelemetryEvent, DeviceStatusEvent>;

export interface Rejection {
  readonly reason: PoisonReason;
  readonly detail: string;
}

export type Routing =
  | {
      readonly ok: true;
      readonly home: HomeKey;
      readonly region: string | undefined;
      /** A test store's event (StoreInfo.test): counted in its store, in no rollup. */
      readonly test: boolean;
    }
  | { readonly ok: false; readonly rejection: Rejection };

const reject = (reason: PoisonReason, detail: string): Routing => ({
  ok: false,
  rejection: { reason, detail },
});

/**
 * Decides the one home item an event counts in, after checking that its sender may speak for
 * the store or team it names. Detections and outcomes go to the store slot of the detection
 * (the instant inside `detectionId`, in the store's time zone); incidents to the team's ISO
 * week of `resolvedAt` (UTC).
 */
export function routeEvent(event: CountedEvent, registry: RegistryView): Routing {
  const device = registry.device(event.deviceId);
  if (device === undefined)
    return reject('unknown_device', `device ${event.deviceId} is not registered`);
  if (event.type === 'oncall_incident') {
    if (device.kind !== 'agent' || device.teamId !== event.teamId) {
      return reject(
        'team_mismatch',
        `device ${event.deviceId} may not report for team ${event.teamId}`,
      );
    }
    if (event.storeId !== undefined && registry.store(event.storeId) === undefined) {
      return reject('unknown_store', `store ${event.storeId} is not registered`);
    }
    return {
      ok: true,
      home: {
        kind: 'team-part',
        teamId: event.teamId,
        week: isoWeekOfInstant(Date.parse(event.resolvedAt)),
        part: shardOf(event.incidentId, TEAM_WEEK_PARTS),
      },
      region: undefined,
      test: false,
    };
  }
  if (device.kind !== 'panel' || device.storeId !== event.storeId) {
    return reject(
      'store_mismatch',
      `device ${event.deviceId} is not bound to store ${event.storeId}`,
    );
  }
  const store = registry.store(event.storeId);
  if (store === undefined)
    return reject('unknown_store', `store ${event.storeId} is not registered`);
  return {
    ok: true,
    home: {
      kind: 'store-slot',
      storeId: event.storeId,
      ...localSlot(decodeTime(event.detectionId), store.timeZone, SLOT_MINUTES),
    },
    region: store.region,
    test: store.test === true,
  };
}
