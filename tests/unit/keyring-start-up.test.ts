import * as crypto from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readKeyring } from '../../edge-client/src/cli/keyring.js';

// Counts the KeyObjects made (each takes OpenSSL ~0.6-0.8 ms): a keyring's start-up must not
// make one per device, or a 50,000-device keyring holds start-up for some 40 s.
vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof import('node:crypto')>();
  return { ...actual, createPrivateKey: vi.fn(actual.createPrivateKey) };
});

const event = (deviceId: string) =>
  Buffer.from(JSON.stringify({ schemaVersion: 1, eventId: 'x', deviceId, seq: 1 }));

describe('A relay keyring at start-up', () => {
  it("checks every key at start-up but makes a device's key object only on its first event", () => {
    // Prepare: 2,000 devices' keys (one seed each), owner-only.
    const keys = Array.from({ length: 2_000 }, (_, i) => ({
      deviceId: `panel-${i}`,
      key: crypto.generateKeyPairSync('ed25519').privateKey,
    }));
    const file = join(mkdtempSync(join(tmpdir(), 'keyring-')), 'keyring.json');
    writeFileSync(
      file,
      JSON.stringify({
        keys: keys.map(({ deviceId, key }) => ({
          deviceId,
          keyId: 'k1',
          privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
        })),
      }),
    );
    chmodSync(file, 0o600);
    const made = vi.mocked(crypto.createPrivateKey);
    made.mockClear();

    // Act
    const signerOf = readKeyring(file);
    const atStart = made.mock.calls.length;
    const first = signerOf(event('panel-7'));
    const again = signerOf(event('panel-7'));

    // Assess: none made at start; one on first use, the same one after; it is the device's key.
    expect(atStart).toBe(0);
    expect(made.mock.calls.length).toBe(1);
    expect(again).toBe(first);
    expect(first?.privateKey.export({ type: 'pkcs8', format: 'der' })).toEqual(
      keys[7]?.key.export({ type: 'pkcs8', format: 'der' }),
    );
  });
});
