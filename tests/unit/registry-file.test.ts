import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawPublicKey } from '#wire';
import { readFleetFile } from '../../infra/tools/registry-file.js';

const folder = () => mkdtempSync(join(tmpdir(), 'fleet-file-'));

function fleetFile(dir: string, devices: unknown[]): string {
  const file = join(dir, 'fleet.json');
  writeFileSync(file, JSON.stringify({ devices }));
  return file;
}

const panel = (keys: unknown[]) => ({
  deviceId: 'panel-store-0042-lane-07',
  kind: 'panel',
  storeId: 'store-0042',
  keys,
});

describe('Function: readFleetFile (npm run register)', () => {
  it("registers a device's key from its public key PEM or its certificate PEM, as 32 raw bytes", () => {
    // Prepare: a key made as the provisioning steps make it (openssl), and its certificate.
    const dir = folder();
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'signing.pem')]);
    execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'signing.pem'),
      '-pubout',
      '-out',
      join(dir, 'signing.pub.pem'),
    ]);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'signing.pem'),
      '-subj',
      '/CN=panel',
      '-days',
      '1',
      '-out',
      join(dir, 'signing.crt'),
    ]);
    const file = fleetFile(dir, [
      panel([
        { keyId: 'k1', publicKeyFile: 'signing.pub.pem', validFrom: '2026-12-01T00:00:00Z' },
        {
          keyId: 'k2',
          certificateFile: 'signing.crt',
          validFrom: '2026-12-01T00:00:00Z',
          validUntil: '2027-12-01T00:00:00Z',
        },
      ]),
    ]);

    // Act
    const { devices } = readFleetFile(file);

    // Assess: both name the same key, in the registry's form.
    const keys = devices[0]?.keys ?? [];
    expect(keys.map((k) => k.keyId)).toEqual(['k1', 'k2']);
    expect(keys[0]?.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys[1]?.publicKey).toBe(keys[0]?.publicKey);
    expect(keys[1]).toMatchObject({ validUntil: '2027-12-01T00:00:00Z' });
  });

  it('refuses a key that is not Ed25519, a key given twice over, and a missing file, naming it', () => {
    const dir = folder();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'rsa.pub.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    const ed = generateKeyPairSync('ed25519');
    const both = {
      keyId: 'k1',
      publicKey: rawPublicKey(ed.publicKey),
      publicKeyFile: 'x.pem',
      validFrom: '2026-12-01T00:00:00Z',
    };
    expect(() =>
      readFleetFile(
        fleetFile(dir, [
          panel([{ keyId: 'k1', publicKeyFile: 'rsa.pub.pem', validFrom: '2026-12-01T00:00:00Z' }]),
        ]),
      ),
    ).toThrow(/rsa\.pub\.pem: .*Ed25519/);
    expect(() => readFleetFile(fleetFile(dir, [panel([both])]))).toThrow(/exactly one of/);
    const twice = {
      keyId: 'k1',
      publicKey: rawPublicKey(ed.publicKey),
      validFrom: '2026-12-01T00:00:00Z',
    };
    expect(() => readFleetFile(fleetFile(dir, [panel([twice, twice])]))).toThrow(/its own keyId/);
    expect(() =>
      readFleetFile(
        fleetFile(dir, [
          panel([{ keyId: 'k1', publicKeyFile: 'gone.pem', validFrom: '2026-12-01T00:00:00Z' }]),
        ]),
      ),
    ).toThrow(/gone\.pem/);
  });
});
