import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_MAGIC,
  EnvelopeFormatError,
  encodeAggregate,
  gzipRecord,
  isAggregated,
  isSignedEnvelope,
  KPL_MAGIC,
  MAX_ENVELOPE_BYTES,
  parseEnvelope,
  publicKeyFromRaw,
  rawPublicKey,
  SIGNING_CONTEXT,
  signRecord,
  verifyEnvelope,
} from '#wire';

const key = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const signer = { signer: 'panel-store-0001-lane-01', keyId: 'k1', privateKey: key.privateKey };
const body = gzipRecord(
  encodeAggregate([{ partitionKey: 'store-0001', data: Buffer.from('{"a":1}') }]),
);

describe('Wire: signed records', () => {
  it('wraps a record so that the signer, the key and the body read back, and verifies', () => {
    const signed = signRecord(body, signer);
    const envelope = parseEnvelope(signed);
    expect(envelope).toMatchObject({ signer: signer.signer, keyId: 'k1', algorithm: 1 });
    expect(Buffer.from(envelope.body)).toEqual(body);
    expect(verifyEnvelope(envelope, key.publicKey)).toBe(true);
    expect(verifyEnvelope(envelope, other.publicKey)).toBe(false);
    expect(signed.byteLength - body.byteLength).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
  });

  it('is told apart from every other record framing by its magic', () => {
    expect(isSignedEnvelope(signRecord(body, signer))).toBe(true);
    expect(isSignedEnvelope(body)).toBe(false); // gzip
    expect(isSignedEnvelope(KPL_MAGIC)).toBe(false);
    expect(isSignedEnvelope(Buffer.from('{"schemaVersion":1}'))).toBe(false);
    expect(isAggregated(ENVELOPE_MAGIC)).toBe(false);
  });

  it('refuses a bit flip anywhere in a signed record, by its framing or its signature', () => {
    const signed = signRecord(body, signer);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: signed.byteLength - 1 }),
        fc.integer({ min: 0, max: 7 }),
        (at, bit) => {
          const flipped = Buffer.from(signed);
          flipped[at] = (flipped[at] as number) ^ (1 << bit);
          let verified = false;
          try {
            const envelope = parseEnvelope(flipped);
            // A flip in the signer or key id names another key: that key would have to verify.
            verified =
              envelope.signer === signer.signer &&
              envelope.keyId === 'k1' &&
              verifyEnvelope(envelope, key.publicKey);
          } catch (error) {
            expect(error).toBeInstanceOf(EnvelopeFormatError);
          }
          expect(verified).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('signs the context string, the header and the body: what another language can rebuild', () => {
    const signed = signRecord(body, signer);
    const s = Buffer.from(signer.signer);
    const header = Buffer.concat([
      Buffer.from([1, 1, s.byteLength]),
      s,
      Buffer.from([2]),
      Buffer.from('k1'),
    ]);
    expect(Buffer.from(parseEnvelope(signed).signed)).toEqual(
      Buffer.concat([SIGNING_CONTEXT, header, body]),
    );
    expect(signed.subarray(0, 4)).toEqual(ENVELOPE_MAGIC);
    expect(signed.subarray(4, 4 + header.byteLength)).toEqual(header);
    expect(signed[4 + header.byteLength]).toBe(64);
  });

  it('refuses framing it cannot read: cut short, no body, unknown version or algorithm, bad ids', () => {
    const signed = signRecord(body, signer);
    const headerEnd = 4 + 3 + signer.signer.length + 1 + 2 + 1 + 64;
    for (const bad of [
      signed.subarray(0, 10),
      signed.subarray(0, headerEnd),
      Buffer.concat([signed.subarray(0, 4), Buffer.from([2]), signed.subarray(5)]),
      Buffer.concat([signed.subarray(0, 5), Buffer.from([9]), signed.subarray(6)]),
    ]) {
      expect(() => parseEnvelope(bad)).toThrow(EnvelopeFormatError);
    }
    expect(() => signRecord(body, { ...signer, signer: 'has space' })).toThrow(EnvelopeFormatError);
    expect(() => signRecord(body, { ...signer, keyId: 'k'.repeat(65) })).toThrow(
      EnvelopeFormatError,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signRecord(body, { ...signer, privateKey: ec.privateKey })).toThrow(/Ed25519/);
  });

  it('keeps a public key as its 32 raw bytes and reads it back, from a key object or PEM', () => {
    const raw = rawPublicKey(key.publicKey);
    expect(Buffer.from(raw, 'base64url')).toHaveLength(32);
    expect(rawPublicKey(key.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(raw);
    const envelope = parseEnvelope(signRecord(body, signer));
    expect(verifyEnvelope(envelope, publicKeyFromRaw(raw))).toBe(true);
    expect(() => publicKeyFromRaw('AAAA')).toThrow(EnvelopeFormatError);
  });
});
