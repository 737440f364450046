import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../../edge-client/src/cli/daemon.js';
import { ConfigError, DaemonConfig } from '../../edge-client/src/cli/daemon-config.js';
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

  it('refuses, as a ConfigError naming the file, a keyring that is missing, a folder, a FIFO, a device, or a file others may read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-'));
    const valid = JSON.stringify({
      keys: [{ deviceId: 'a', keyId: 'test-1', privateKey: pem('a') }],
    });
    const devZero = join(dir, 'dev-zero.json');
    symlinkSync('/dev/zero', devZero);
    // A FIFO with a writer ready: a reader that opens it as a file reads what the writer
    // sends (and, with no writer, blocks start-up for ever). It is refused before any read.
    const fifo = join(dir, 'keyring.fifo');
    const writer = spawn('sh', [
      '-c',
      `mkfifo -m 600 "$1" && printf '%s' "$2" > "$1"`,
      'sh',
      fifo,
      valid,
    ]);
    try {
      for (const [file, reason] of [
        [join(dir, 'missing.json'), /ENOENT|no such file/],
        [dir, /not a regular file/],
        [devZero, /not a regular file|readable by others/],
        [keyringFile(valid, 0o644), /readable by others than its owner/],
      ] as const) {
        expect(() => readKeyring(file)).toThrow(ConfigError);
        expect(() => readKeyring(file)).toThrow(reason);
      }
      waitForFifo(fifo);
      expect(() => readKeyring(fifo)).toThrow(ConfigError);
    } finally {
      writer.kill();
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'refuses a keyring (or a symlink to one) owned by another user, who could read or replace its keys',
    () => {
      const file = keyringFile({
        keys: [{ deviceId: 'a', keyId: 'test-1', privateKey: pem('a') }],
      });
      chownSync(file, 4321, 4321);
      const link = join(mkdtempSync(join(tmpdir(), 'keyring-')), 'keyring.json');
      symlinkSync(file, link);
      expect(() => readKeyring(link)).toThrow(ConfigError);
      expect(() => readKeyring(link)).toThrow(/owned by uid 4321/);
    },
  );

  it('says where a keyring stops being JSON without quoting it (no key material in the message)', () => {
    const file = keyringFile(
      '{"keys":[{"deviceId":"a","keyId":"k","privateKey": MC4CAQAwBQYDK2VwBCIEIPQ7secret}]}',
    );
    expect(() => readKeyring(file)).toThrow(/a keyring is JSON/);
    expect(() => readKeyring(file)).not.toThrow(/MC4C/);
  });
});

/** Waits (at most a few seconds) until `sh` has made the FIFO. */
function waitForFifo(fifo: string): void {
  for (let i = 0; i < 200; i++) {
    try {
      if (statSync(fifo).isFIFO()) return;
    } catch {}
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`${fifo} was not made`);
}

describe("A daemon's signing key file (signing.keyFile)", () => {
  const start = (keyFile: string) =>
    startDaemon(
      DaemonConfig.parse({
        streamName: 's',
        endpoint: 'http://127.0.0.1:9',
        deviceId: 'panel-store-0001-lane-01',
        spool: { dir: mkdtempSync(join(tmpdir(), 'signing-spool-')) },
        signing: { keyId: 'test-1', keyFile },
        stdin: false,
      }),
      { log: () => undefined },
    );

  it('refuses at start-up, as a ConfigError naming the file and never quoting it, a key that is missing, public, encrypted, not a PEM, not Ed25519, or readable by others', async () => {
    const ed = generateKeyPairSync('ed25519');
    const secret = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string, RegExp][] = [
      [join(tmpdir(), 'no-such-dir', 'signing.pem'), /ENOENT/],
      [
        keyringFile(ed.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
        /not an unencrypted PEM private key/,
      ],
      [
        keyringFile(
          ed.privateKey
            .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
            .toString(),
        ),
        /not an unencrypted PEM private key/,
      ],
      [
        keyringFile(secret.replace('PRIVATE KEY', 'PRIVATE KEX')),
        /not an unencrypted PEM private key/,
      ],
      [
        keyringFile(
          generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        ),
        /must be an Ed25519 private key/,
      ],
      [keyringFile(secret, 0o644), /readable by others than its owner/],
    ];
    for (const [file, reason] of cases) {
      const refusal = await start(file).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as Error).message).toMatch(reason);
      expect((refusal as Error).message).toContain(file);
      expect((refusal as Error).message).not.toMatch(/MC4C|BEGIN/);
    }
  });
});
