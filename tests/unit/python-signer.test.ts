import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvelope, rawPublicKey, verifyEnvelope } from '#wire';
import { checkSignature } from '../../functions/domain/signature-check.js';
import { detection, NOON, REGISTRY, testKey } from '../helpers/factories.js';

/**
 * The Python example (edge-client/examples/sign_record.py) signs as the contract says: its
 * record verifies in the processor's own check. CI installs python3-cryptography for it.
 */
describe('Example: signing a record in Python', () => {
  it('writes a record the processor verifies and attributes to the signer, and one bit off does not', () => {
    // Prepare: store-0001's lane's test key as PEM, and one event's bytes.
    const dir = mkdtempSync(join(tmpdir(), 'py-sign-'));
    const keyFile = join(dir, 'signing.pem');
    const lane = 'panel-store-0001-lane-01';
    writeFileSync(keyFile, testKey(lane).export({ type: 'pkcs8', format: 'pem' }) as string);
    const event = detection();
    const body = Buffer.from(JSON.stringify(event));

    // Act
    const signed = execFileSync(
      'python3',
      [
        'edge-client/examples/sign_record.py',
        '--signer',
        lane,
        '--key-id',
        'test-1',
        '--key',
        keyFile,
      ],
      { input: body },
    );

    // Assess
    const envelope = parseEnvelope(signed);
    expect(envelope).toMatchObject({ signer: lane, keyId: 'test-1' });
    expect(Buffer.from(envelope.body)).toEqual(body);
    const registry = { device: (id: string) => REGISTRY.devices.get(id), store: () => undefined };
    expect(
      checkSignature({ envelope, events: [event], arrivedAt: NOON }, registry, 'refuse'),
    ).toEqual({ ok: true, unsigned: false });
    const flipped = Buffer.from(signed);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    expect(verifyEnvelope(parseEnvelope(flipped), testKey(lane))).toBe(false);
    expect(rawPublicKey(testKey(lane))).toBe(REGISTRY.devices.get(lane)?.keys?.[0]?.publicKey);
  });
});
