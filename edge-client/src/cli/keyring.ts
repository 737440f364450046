import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { Identifier } from '../contract/index.js';
import { readSecretFile, SecretFileError } from '../credentials/lane-credentials.js';
import { partitionKeyOf } from '../delivery/kinesis-sink.js';
import type { RecordSigner } from '../wire/index.js';
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
export function readKeyring(file: string): (payload: Buffer) => RecordSigner | undefined {
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
  const signers = new Map<string, RecordSigner>();
  parsed.data.keys.forEach(({ deviceId, keyId, privateKey }, i) => {
    if (signers.has(deviceId))
      throw new ConfigError(`${file}: keys.${i}: ${deviceId} has a key already (one per device)`);
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(privateKey);
    } catch {
      throw new ConfigError(`${file}: keys.${i}: privateKey is not a PEM private key`);
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new ConfigError(`${file}: keys.${i}: a record signing key must be an Ed25519 key`);
    signers.set(deviceId, { signer: deviceId, keyId, privateKey: key });
  });
  return (payload) => signers.get(partitionKeyOf(payload, 'device'));
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
function readSecretConfigFile(file: string, maxBytes?: number): Buffer {
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
