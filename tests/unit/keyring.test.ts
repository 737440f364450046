import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKeyring } from '../../edge-client/src/cli/keyring.js';
import { testKey } from '../helpers/factories.js';

const pem = (deviceId: string) =>
  testKey(deviceId).export({ type: 'pkcs8', format: 'pem' }).toString();

function keyringFile(content: unknown, mode = 0o600): string {
  const file = join(mkdtempSync(join(tmpdir(), 'keyring-')), 'keyring.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(file, mode);
  return file;
}

const event = (deviceId: string) =>
  Buffer.from(JSON.stringify({ schemaVersion: 1, type: 'detection', deviceId, seq: 1 }));

describe('A relay keyring (signing.keyringFile)', () => {
  it('signs each event as its own device, and has no signer for a device it holds no key of', () => {
    const signerOf = readKeyring(
      keyringFile({
        keys: ['panel-store-0001-lane-01', 'agent-team-pos'].map((deviceId) => ({
          deviceId,
          keyId: 'test-1',
          privateKey: pem(deviceId),
        })),
      }),
    );

    const lane = signerOf(event('panel-store-0001-lane-01'));
    expect(lane?.signer).toBe('panel-store-0001-lane-01');
    expect(lane?.keyId).toBe('test-1');
    expect(lane?.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(signerOf(event('agent-team-pos'))?.signer).toBe('agent-team-pos');
    expect(signerOf(event('panel-store-0002-lane-01'))).toBeUndefined();
  });

  it('refuses a keyring others may read, that is not JSON, has a second key for one device, or a key that is not Ed25519', () => {
    const entry = (deviceId: string, privateKey = pem(deviceId)) => ({
      deviceId,
      keyId: 'test-1',
      privateKey,
    });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();

    expect(() => readKeyring(keyringFile({ keys: [entry('a')] }, 0o644))).toThrow(/mode|readable/i);
    expect(() => readKeyring(keyringFile('{"keys": ['))).toThrow(/a keyring is JSON/);
    expect(() => readKeyring(keyringFile({ keys: [] }))).toThrow(/keys/);
    expect(() => readKeyring(keyringFile({ keys: [entry('a'), entry('a')] }))).toThrow(
      /keys.1: a has a key already/,
    );
    expect(() => readKeyring(keyringFile({ keys: [entry('a', 'not a pem')] }))).toThrow(
      /keys.0: privateKey is not a PEM private key/,
    );
    expect(() => readKeyring(keyringFile({ keys: [entry('a', p256)] }))).toThrow(
      /keys.0: a record signing key must be an Ed25519 key/,
    );
  });
});
