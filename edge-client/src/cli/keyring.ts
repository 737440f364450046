import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { Identifier } from '../contract/index.js';
import { readSecretFile, SecretFileError } from '../credentials/lane-credentials.js';
import { partitionKeyOf } from '../delivery/kinesis-sink.js';
import { ED25519_PKCS8_PREFIX, ed25519FromSeed, type RecordSigner } from '../wire/index.js';
import { ConfigError } from './daemon-config.js';

/** The most devices one keyring holds, and its largest file: bounds what a start-up reads. */
export const MAX_KEYRING_DEVICES = 50_000;
const MAX_KEYRING_BYTES = 32 * 1024 * 1024;

/**
 * A relay's keyring file (`signing.keyringFile`), JSON, readable by its owner only:
 * `{"keys": [{"deviceId": "...", "keyId": "...", "privateKey": "-----BEGIN PRIVATE KEY-----..."}]}`,
 * each private key an Ed25519 PKCS#8 PEM registered under `keyId` for `deviceId`. One key per
 * device (the one it signs with now); a test rig's file, never a store's.
 */
const KeyringFile = z
  .object({
    keys: z
      .array(
        z
          .object({
            deviceId: Identifier,
            keyId: Identifier,
            privateKey: z.string().min(1).max(4096),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_KEYRING_DEVICES),
  })
  .strict();

/**
 * Reads a keyring file into who signs each event: the event's own device, or undefined when
 * the keyring has no key for it (the client refuses such an event at intake).
 */
export function readKeyring(
  file: string,
): ((payload: Buffer) => RecordSigner | undefined) & { readonly devices: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(readSecretConfigFile(file, MAX_KEYRING_BYTES).toString('utf8'));
  } catch (error) {
    // V8 quotes the text around a syntax error: here that would be key material.
    if (error instanceof SyntaxError)
      throw new ConfigError(
        `${file}: a keyring is JSON: ${/at position \d+/.exec(error.message)?.[0] ?? 'it does not parse'}`,
      );
    throw error;
  }
  const parsed = KeyringFile.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(keyring)'}: ${i.message}`).join('; ')}`,
    );
  const seeds = new Map<string, { keyId: string; seed: Buffer; made?: RecordSigner }>();
  parsed.data.keys.forEach(({ deviceId, keyId, privateKey }, i) => {
    if (seeds.has(deviceId))
      throw new ConfigError(`${file}: keys.${i}: ${deviceId} has a key already (one per device)`);
    const seed = ed25519Seed(privateKey);
    if (seed === 'not a PEM private key')
      throw new ConfigError(
        `${file}: keys.${i}: privateKey is not a PEM private key (unencrypted PKCS#8)`,
      );
    if (seed === 'not Ed25519')
      throw new ConfigError(`${file}: keys.${i}: a record signing key must be an Ed25519 key`);
    seeds.set(deviceId, { keyId, seed });
  });
  // A device's key object is made on its first event: OpenSSL takes ~0.7 ms to make one, which
  // for every key at start-up held a 50,000-device keyring's start for some 40 s.
  const signerOf = (payload: Buffer): RecordSigner | undefined => {
    const deviceId = partitionKeyOf(payload, 'device');
    const entry = seeds.get(deviceId);
    if (entry === undefined) return undefined;
    entry.made ??= {
      signer: deviceId,
      keyId: entry.keyId,
      privateKey: ed25519FromSeed(entry.seed),
    };
    return entry.made;
  };
  return Object.assign(signerOf, { devices: seeds.size });
}

const PEM_PRIVATE_KEY =
  /^-----BEGIN PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PRIVATE KEY-----$/;
/** The Ed25519 AlgorithmIdentifier's DER (OID 1.3.101.112), where PKCS#8 names the algorithm. */
const ED25519_ALGORITHM = Buffer.from('300506032b6570', 'hex');

/**
 * The 32-byte seed of an unencrypted PKCS#8 Ed25519 PEM, the 48-byte form OpenSSL, Node, Go
 * and Python write (RFC 8410: a fixed prefix, then the seed), read without OpenSSL so that a
 * keyring's every key is checked at start-up in microseconds.
 */
function ed25519Seed(pem: string): Buffer | 'not a PEM private key' | 'not Ed25519' {
  const base64 = PEM_PRIVATE_KEY.exec(pem.trim())?.[1];
  if (base64 === undefined) return 'not a PEM private key';
  const der = Buffer.from(base64.replace(/\s/g, ''), 'base64');
  const prefix = ED25519_PKCS8_PREFIX.byteLength;
  if (der.byteLength === prefix + 32 && der.subarray(0, prefix).equals(ED25519_PKCS8_PREFIX))
    return der.subarray(prefix);
  // Another algorithm's key (its identifier after SEQUENCE and version), or a broken one.
  return der.includes(ED25519_ALGORITHM) ? 'not a PEM private key' : 'not Ed25519';
}

/** The daemon's Ed25519 signing key (`signing.keyFile`: PKCS#8 PEM, owner-only). */
export function readSigningKey(file: string): KeyObject {
  const pem = readSecretConfigFile(file);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(
      `${file}: not an unencrypted PEM private key (a record signing key is an Ed25519 PKCS#8 PEM, no passphrase)`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError(`${file}: a record signing key must be an Ed25519 private key`);
  return key;
}

/**
 * A secret file of the config (readSecretFile's checks), any failure to read it a ConfigError
 * naming the file: a start-up refusal, not a crash.
 */
export function readSecretConfigFile(file: string, maxBytes?: number): Buffer {
  try {
    return readSecretFile(file, maxBytes);
  } catch (error) {
    if (error instanceof SecretFileError) throw new ConfigError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string')
      throw new ConfigError(`${file}: cannot read it (${code}: ${(error as Error).message})`);
    throw error;
  }
}
