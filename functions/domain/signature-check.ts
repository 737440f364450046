import type { KeyObject } from 'node:crypto';
import type { TelemetryEvent } from '#contract';
import { publicKeyFromRaw, type SignedEnvelope, verifyEnvelope } from '#wire';
import type { ArchivedSigner } from './decode-record.js';
import type { DeviceInfo, RegistryView, SigningKey } from './registry-types.js';
import type { Rejection } from './route-event.js';

/**
 * What the processor accepts of a record's signature (docs/security.md, "Signed records").
 * `refuse` (the default) dead-letters an unsigned record as `unsigned`; `accept` counts it, for
 * a migration window while senders are upgraded, and the processor reports each in a metric
 * that an alarm watches.
 */
export type UnsignedPolicy = 'refuse' | 'accept';

export type SignatureVerdict =
  | { readonly ok: true; readonly unsigned: boolean }
  | { readonly ok: false; readonly rejection: Rejection };

const refuse = (
  reason: 'unsigned' | 'bad_signature' | 'unknown_key' | 'signer_mismatch',
  detail: string,
): SignatureVerdict => ({ ok: false, rejection: { reason, detail } });

/**
 * Judges one record's signature, whole: a record that fails counts none of its events.
 *
 * 1. A record without an envelope is `unsigned` (or counted, under `accept`).
 * 2. The signer must be registered and hold the key the envelope names, valid at the record's
 *    arrival (`validFrom <= arrival < validUntil`): else `unknown_key`.
 * 3. The signature must verify under that key: else `bad_signature`.
 * 4. Every event must name the signer as its device, or the signer must be its store's
 *    gateway (a gateway carries its store's lanes' detections and outcomes; the lane itself is
 *    then checked against the store as any sender is, route-event.ts): else `signer_mismatch`.
 *
 * A record read back from the raw archive's screened form (a record the contract refused in
 * part) has lost its signature bytes; the archive keeps who signed it and whether the signature
 * verified when it was archived (`verified`, signatureVerifies). The rebuild trusts that
 * verdict, and refuses as `bad_signature` a screened record the archive did not verify: the
 * signer and key id are only what the record claimed (docs/security.md).
 */
export function checkSignature(
  record: {
    readonly envelope?: SignedEnvelope;
    /** Instead of an envelope: who signed a record the raw archive screened. */
    readonly archivedSigner?: ArchivedSigner;
    readonly events: readonly TelemetryEvent[];
    readonly arrivedAt: number;
  },
  registry: RegistryView,
  policy: UnsignedPolicy,
): SignatureVerdict {
  const envelope = record.envelope ?? record.archivedSigner;
  if (envelope === undefined) {
    return policy === 'accept'
      ? { ok: true, unsigned: true }
      : refuse('unsigned', 'the record is not signed (the processor refuses unsigned records)');
  }
  const device = registry.device(envelope.signer);
  if (device === undefined)
    return refuse('unknown_key', `signer ${envelope.signer} is not registered`);
  const key = device.keys?.find((k) => k.keyId === envelope.keyId);
  if (key === undefined)
    return refuse('unknown_key', `signer ${envelope.signer} has no key ${envelope.keyId}`);
  if (!validAt(key, record.arrivedAt)) {
    return refuse(
      'unknown_key',
      `key ${envelope.keyId} of ${envelope.signer} is valid from ${key.validFrom}${key.validUntil === undefined ? '' : ` until ${key.validUntil}`}, not at the record's arrival`,
    );
  }
  const signed = record.envelope;
  if (signed !== undefined && !verifyEnvelope(signed, publicKeyOf(signed.signer, key))) {
    return refuse(
      'bad_signature',
      `the signature does not verify under key ${envelope.keyId} of ${envelope.signer}`,
    );
  }
  if (signed === undefined && record.archivedSigner?.verified !== true) {
    return refuse(
      'bad_signature',
      `the raw archive did not verify the signature of this screened record under key ${envelope.keyId} of ${envelope.signer}, and keeps no signature bytes to check`,
    );
  }
  const stranger = record.events.find((event) => !mayCarry(device, event));
  if (stranger !== undefined) {
    return refuse(
      'signer_mismatch',
      `signer ${envelope.signer} may not carry events of device ${stranger.deviceId}`,
    );
  }
  return { ok: true, unsigned: false };
}

/**
 * Whether `envelope`'s signature verifies under the key it names of its signer in `registry`
 * (the key's validity window aside: that is checked against the record's arrival). What the raw
 * archive records of a signed record it screens, since the screened form cannot keep the bytes
 * the signature covers (archive-line.ts).
 */
export function signatureVerifies(envelope: SignedEnvelope, registry: RegistryView): boolean {
  const key = registry.device(envelope.signer)?.keys?.find((k) => k.keyId === envelope.keyId);
  return key !== undefined && verifyEnvelope(envelope, publicKeyOf(envelope.signer, key));
}

const validAt = (key: SigningKey, at: number) =>
  Date.parse(key.validFrom) <= at &&
  (key.validUntil === undefined || at < Date.parse(key.validUntil));

/** Whether `signer` may put `event` on the stream: its own, or a lane's of its store. */
function mayCarry(signer: DeviceInfo, event: TelemetryEvent): boolean {
  if (event.deviceId === signer.deviceId) return true;
  return (
    signer.kind === 'gateway' &&
    event.type !== 'oncall_incident' &&
    event.storeId === signer.storeId
  );
}

/**
 * Public keys as key objects, by signer, key id and key: a warm processor parses each once.
 * Bounded: past MAX_CACHED_KEYS entries the cache starts again (a fleet has one or two keys a
 * device; the bound only stops a registry of many keys from holding memory).
 */
const MAX_CACHED_KEYS = 50_000;
const cache = new Map<string, KeyObject>();

function publicKeyOf(signer: string, key: SigningKey): KeyObject {
  const id = `${signer}|${key.keyId}|${key.publicKey}`;
  let object = cache.get(id);
  if (object === undefined) {
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    object = publicKeyFromRaw(key.publicKey);
    cache.set(id, object);
  }
  return object;
}
