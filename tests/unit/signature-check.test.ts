import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import { parseEnvelope, rawPublicKey, signRecord } from '#wire';
import type { DeviceInfo, RegistryView } from '../../functions/domain/registry-types.js';
import { checkSignature } from '../../functions/domain/signature-check.js';
import { detection, incident, NOON, REGISTRY, testKey, testSigner } from '../helpers/factories.js';

const view = (devices: Map<string, DeviceInfo> = REGISTRY.devices): RegistryView => ({
  device: (id) => devices.get(id),
  store: (id) => REGISTRY.stores.get(id),
});

const LANE_1 = 'panel-store-0001-lane-01';
const LANE_2 = 'panel-store-0002-lane-01';

/** A record of `events` signed as `signer` (with its test key, or `privateKeyOf`'s). */
function record(
  events: TelemetryEvent[],
  signer: string,
  options: { keyId?: string; privateKeyOf?: string; arrivedAt?: number } = {},
) {
  const body = Buffer.from(events.map((e) => JSON.stringify(e)).join('\n'));
  const data = signRecord(body, {
    ...testSigner(signer),
    keyId: options.keyId ?? 'test-1',
    privateKey: testKey(options.privateKeyOf ?? signer),
  });
  return { envelope: parseEnvelope(data), events, arrivedAt: options.arrivedAt ?? NOON };
}

const reasonOf = (verdict: ReturnType<typeof checkSignature>) =>
  verdict.ok ? (verdict.unsigned ? 'unsigned accepted' : 'ok') : verdict.rejection.reason;

describe('Domain: checkSignature', () => {
  it("accepts a record its own device signed with a key valid at the record's arrival", () => {
    expect(reasonOf(checkSignature(record([detection()], LANE_1), view(), 'refuse'))).toBe('ok');
  });

  it('refuses the cross-store forgery: a lane of store-0001 reporting as store-0002', () => {
    // The stolen lane's own key signs an event that names store-0002's lane and store.
    const forged = detection({ deviceId: LANE_2, storeId: 'store-0002' });
    const verdict = checkSignature(record([forged], LANE_1), view(), 'refuse');
    expect(verdict).toMatchObject({
      ok: false,
      rejection: { reason: 'signer_mismatch', detail: expect.stringContaining(LANE_2) },
    });
    // Claiming to be store-0002's lane as the signer needs that lane's key.
    const claimed = record([forged], LANE_2, { privateKeyOf: LANE_1 });
    expect(reasonOf(checkSignature(claimed, view(), 'refuse'))).toBe('bad_signature');
  });

  it("lets a store's gateway carry its lanes' detections and outcomes, not another store's or an incident", () => {
    const gateway = 'gateway-store-0001';
    expect(reasonOf(checkSignature(record([detection()], gateway), view(), 'refuse'))).toBe('ok');
    const other = detection({ deviceId: LANE_2, storeId: 'store-0002' });
    expect(reasonOf(checkSignature(record([detection(), other], gateway), view(), 'refuse'))).toBe(
      'signer_mismatch',
    );
    const team = incident({ deviceId: 'agent-team-pos' });
    expect(reasonOf(checkSignature(record([team], gateway), view(), 'refuse'))).toBe(
      'signer_mismatch',
    );
  });

  it('refuses an unregistered signer and a key the signer does not hold as unknown_key', () => {
    const stranger = detection({ deviceId: 'panel-x' });
    expect(reasonOf(checkSignature(record([stranger], 'panel-x'), view(), 'refuse'))).toBe(
      'unknown_key',
    );
    expect(
      reasonOf(
        checkSignature(record([detection()], LANE_1, { keyId: 'test-2' }), view(), 'refuse'),
      ),
    ).toBe('unknown_key');
  });

  it('works across a rotation, and refuses a revoked key from its revocation on', () => {
    // Key 1 valid until noon (revoked then, or rotated out); key 2 from an hour before.
    const devices = new Map(REGISTRY.devices);
    devices.set(LANE_1, {
      deviceId: LANE_1,
      kind: 'panel',
      storeId: 'store-0001',
      keys: [
        {
          keyId: 'k1',
          publicKey: rawPublicKey(testKey(LANE_1)),
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: new Date(NOON).toISOString(),
        },
        {
          keyId: 'k2',
          publicKey: rawPublicKey(testKey('new key')),
          validFrom: new Date(NOON - 3_600_000).toISOString(),
        },
      ],
    });
    const at = (keyId: string, privateKeyOf: string, arrivedAt: number) =>
      reasonOf(
        checkSignature(
          record([detection()], LANE_1, { keyId, privateKeyOf, arrivedAt }),
          view(devices),
          'refuse',
        ),
      );
    // During the overlap both keys verify: senders switch over without a gap.
    expect(at('k1', LANE_1, NOON - 60_000)).toBe('ok');
    expect(at('k2', 'new key', NOON - 60_000)).toBe('ok');
    // From the revocation on, key 1 is refused; key 2 goes on.
    expect(at('k1', LANE_1, NOON)).toBe('unknown_key');
    expect(at('k2', 'new key', NOON + 60_000)).toBe('ok');
    // Before its window, key 2 is refused too.
    expect(at('k2', 'new key', NOON - 7_200_000)).toBe('unknown_key');
  });

  it('refuses an unsigned record, or counts it and says so in a migration window', () => {
    const unsigned = { events: [detection()], arrivedAt: NOON };
    expect(reasonOf(checkSignature(unsigned, view(), 'refuse'))).toBe('unsigned');
    expect(reasonOf(checkSignature(unsigned, view(), 'accept'))).toBe('unsigned accepted');
  });

  it("checks an archived record's signer and key, and trusts only a signature the archive verified", () => {
    const archived = (signer: string, keyId = 'test-1', verified = true) => ({
      archivedSigner: { signer, keyId, ...(verified && { verified: true as const }) },
      events: [detection()],
      arrivedAt: NOON,
    });
    expect(reasonOf(checkSignature(archived(LANE_1), view(), 'refuse'))).toBe('ok');
    expect(reasonOf(checkSignature(archived(LANE_2), view(), 'refuse'))).toBe('signer_mismatch');
    expect(reasonOf(checkSignature(archived(LANE_1, 'gone'), view(), 'refuse'))).toBe(
      'unknown_key',
    );
    // A signer the archive did not verify is only what the record claimed.
    for (const policy of ['refuse', 'accept'] as const) {
      expect(reasonOf(checkSignature(archived(LANE_1, 'test-1', false), view(), policy))).toBe(
        'bad_signature',
      );
    }
  });
});
