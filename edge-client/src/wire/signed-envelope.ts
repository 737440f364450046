import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * A signed record: the bytes a sender puts on the stream, wrapped so that the processor can
 * tell which registered device put them. Kinesis does not tell a consumer who wrote a record,
 * and the device role may put any content, so without this a panel PC's stolen credentials
 * could report for every store (docs/security.md, "Signed records").
 *
 * Layout, version 1 (all lengths one unsigned byte; docs/contract.md, "Signed records"):
 *
 * | bytes | field |
 * |---|---|
 * | 4 | magic `F3 53 49 47` (`\xF3SIG`: no gzip, KPL or JSON record starts so) |
 * | 1 | version, `1` |
 * | 1 | algorithm: `1` = Ed25519 (RFC 8032) |
 * | 1 + n | signer: the sending device's id (UTF-8, 1 to 64 bytes) |
 * | 1 + n | key id: which of the signer's registered keys (UTF-8, 1 to 64 bytes) |
 * | 1 + n | signature (64 bytes for Ed25519) |
 * | rest | body: the record as it would be unsigned (an event, a KPL aggregate, or it compressed) |
 *
 * The signature covers `SIGNING_CONTEXT` (the ASCII string and a zero byte), then every byte
 * from the version to the end of the key id, then the body: everything but the magic and the
 * signature itself. The context keeps a signature over these bytes from meaning anything
 * elsewhere.
 */
export const ENVELOPE_MAGIC = Buffer.from([0xf3, 0x53, 0x49, 0x47]);
export const ENVELOPE_VERSION = 1;
export const ED25519 = 1;
const ED25519_SIGNATURE_BYTES = 64;
const MAX_ID_BYTES = 64;
export const SIGNING_CONTEXT = Buffer.from('store-telemetry-record-v1\0', 'ascii');
/** The most bytes an envelope adds to a record: what a record's size budget must leave. */
export const MAX_ENVELOPE_BYTES =
  ENVELOPE_MAGIC.byteLength + 2 + (1 + MAX_ID_BYTES) * 2 + 1 + ED25519_SIGNATURE_BYTES;

/** The bytes an envelope adds to a record signed by `key` (MAX_ENVELOPE_BYTES at most). */
export const envelopeBytesFor = (key: { signer: string; keyId: string }): number =>
  ENVELOPE_MAGIC.byteLength +
  3 +
  Buffer.byteLength(key.signer) +
  1 +
  Buffer.byteLength(key.keyId) +
  1 +
  ED25519_SIGNATURE_BYTES;

/** Who signed a record and with which key, and what was signed. */
export interface SignedEnvelope {
  readonly algorithm: number;
  readonly signer: string;
  readonly keyId: string;
  readonly signature: Uint8Array;
  /** The record as it would be unsigned. */
  readonly body: Uint8Array;
  /** The bytes the signature covers (SIGNING_CONTEXT, the header, the body). */
  readonly signed: Uint8Array;
}

export class EnvelopeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeFormatError';
  }
}

export const isSignedEnvelope = (data: Uint8Array): boolean =>
  data.byteLength >= ENVELOPE_MAGIC.byteLength &&
  ENVELOPE_MAGIC.every((byte, i) => data[i] === byte);

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

function idBytes(what: string, id: string): Buffer {
  const bytes = Buffer.from(id, 'utf8');
  if (bytes.byteLength < 1 || bytes.byteLength > MAX_ID_BYTES || !ID.test(id)) {
    throw new EnvelopeFormatError(`${what} must be an identifier of 1 to ${MAX_ID_BYTES} bytes`);
  }
  return bytes;
}

function header(signer: string, keyId: string): Buffer {
  const s = idBytes('signer', signer);
  const k = idBytes('key id', keyId);
  return Buffer.concat([
    Buffer.from([ENVELOPE_VERSION, ED25519, s.byteLength]),
    s,
    Buffer.from([k.byteLength]),
    k,
  ]);
}

/** A device's signing key: its id in the registry and the private key (never leaves the sender). */
export interface RecordSigner {
  readonly signer: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** Wraps `body` in a signed envelope (Ed25519 over SIGNING_CONTEXT, the header and the body). */
export function signRecord(body: Uint8Array, key: RecordSigner): Buffer {
  if (key.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new EnvelopeFormatError('a record signing key must be an Ed25519 key');
  }
  const head = header(key.signer, key.keyId);
  const signature = sign(null, Buffer.concat([SIGNING_CONTEXT, head, body]), key.privateKey);
  return Buffer.concat([
    ENVELOPE_MAGIC,
    head,
    Buffer.from([signature.byteLength]),
    signature,
    body,
  ]);
}

/** Reads an envelope's framing; throws EnvelopeFormatError when it is not one this code reads. */
export function parseEnvelope(data: Uint8Array): SignedEnvelope {
  if (!isSignedEnvelope(data)) throw new EnvelopeFormatError('not a signed record');
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = ENVELOPE_MAGIC.byteLength;
  const byte = () => {
    if (at >= bytes.byteLength) throw new EnvelopeFormatError('signed record cut short');
    return bytes[at++] as number;
  };
  const field = (what: string, max: number) => {
    const length = byte();
    if (length < 1 || length > max) throw new EnvelopeFormatError(`bad ${what} length ${length}`);
    if (at + length > bytes.byteLength) throw new EnvelopeFormatError('signed record cut short');
    const value = bytes.subarray(at, at + length);
    at += length;
    return value;
  };
  const version = byte();
  if (version !== ENVELOPE_VERSION)
    throw new EnvelopeFormatError(`signed record version ${version} is not one this code reads`);
  const algorithm = byte();
  if (algorithm !== ED25519)
    throw new EnvelopeFormatError(`signature algorithm ${algorithm} is not one this code reads`);
  const signer = field('signer', MAX_ID_BYTES).toString('utf8');
  const keyId = field('key id', MAX_ID_BYTES).toString('utf8');
  const headEnd = at;
  const signature = field('signature', ED25519_SIGNATURE_BYTES);
  if (signature.byteLength !== ED25519_SIGNATURE_BYTES)
    throw new EnvelopeFormatError('an Ed25519 signature is 64 bytes');
  const body = bytes.subarray(at);
  if (body.byteLength === 0) throw new EnvelopeFormatError('signed record without a body');
  if (!ID.test(signer) || !ID.test(keyId))
    throw new EnvelopeFormatError('signer and key id must be identifiers');
  return {
    algorithm,
    signer,
    keyId,
    signature,
    body,
    signed: Buffer.concat([
      SIGNING_CONTEXT,
      bytes.subarray(ENVELOPE_MAGIC.byteLength, headEnd),
      body,
    ]),
  };
}

/** Whether `envelope`'s signature verifies under `publicKey` (an Ed25519 key). */
export function verifyEnvelope(envelope: SignedEnvelope, publicKey: KeyObject): boolean {
  if (publicKey.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, envelope.signed, publicKey, envelope.signature);
}

/** An Ed25519 public key from its 32 raw bytes, base64url (how the registry keeps it). */
export function publicKeyFromRaw(base64url: string): KeyObject {
  const raw = Buffer.from(base64url, 'base64url');
  if (raw.byteLength !== 32) throw new EnvelopeFormatError('an Ed25519 public key is 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** The 32 raw bytes, base64url, of an Ed25519 public key (from a key object or PEM). */
export function rawPublicKey(key: KeyObject | string): string {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  if (object.asymmetricKeyType !== 'ed25519')
    throw new EnvelopeFormatError('a record signing key must be an Ed25519 key');
  const jwk = object.export({ format: 'jwk' });
  return jwk.x as string;
}

/** A private key from PKCS#8 PEM (`openssl genpkey -algorithm ed25519`). */
export const privateKeyFromPem = (pem: string): KeyObject => createPrivateKey(pem);

/** PKCS#8's fixed prefix of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
export const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 private key of a 32-byte seed (for keys derived from a secret, never sent). */
export function ed25519FromSeed(seed: Uint8Array): KeyObject {
  if (seed.byteLength !== 32) throw new EnvelopeFormatError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}
