import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SigningKey } from '#domain/registry-types';
import { partitionKeyOf } from '#edge-client';
import { ed25519FromSeed, type RecordSigner, rawPublicKey } from '#wire';

/** The key id every simulated device's one key is registered under. */
export const LOCAL_KEY_ID = 'local-1';

/** A simulated store's gateway device (kind `gateway`): it signs its store's records. */
export const gatewayIdOf = (storeId: string) => `gateway-${storeId}`;

/**
 * The simulated fleet's signing keys. Each device's Ed25519 key is derived from one random
 * seed kept in the local data folder (owner-only, made on first use), so that the keys
 * outlive a restart of `npm start` (spooled records stay verifiable) and no key is in the
 * repository. Local only: a real panel PC makes its own key and never shares it.
 */
export class LocalSigners {
  private readonly keys = new Map<string, KeyObject>();

  private constructor(private readonly seed: Buffer) {}

  /** The signers of the seed in `seedFile`, made (32 random bytes, mode 600) if missing. */
  static open(seedFile: string): LocalSigners {
    if (!existsSync(seedFile)) {
      mkdirSync(dirname(seedFile), { recursive: true });
      writeFileSync(seedFile, randomBytes(32), { mode: 0o600 });
    }
    chmodSync(seedFile, 0o600);
    const seed = readFileSync(seedFile);
    if (seed.byteLength !== 32) throw new Error(`${seedFile}: a signing seed is 32 bytes`);
    return new LocalSigners(seed);
  }

  /** `deviceId`'s signer. */
  signer(deviceId: string): RecordSigner {
    return { signer: deviceId, keyId: LOCAL_KEY_ID, privateKey: this.key(deviceId) };
  }

  /** `deviceId`'s registry keys: its one key, valid from 2000. */
  registryKeys(deviceId: string): SigningKey[] {
    return [
      {
        keyId: LOCAL_KEY_ID,
        publicKey: rawPublicKey(this.key(deviceId)),
        validFrom: '2000-01-01T00:00:00Z',
      },
    ];
  }

  /**
   * Writes a relay daemon's keyring (`signing.keyringFile`, edge-client/src/cli/keyring.ts)
   * with these devices' keys, owner-only: for a test rig's relay that forwards a simulated fleet.
   */
  writeKeyring(file: string, deviceIds: readonly string[]): void {
    const keys = deviceIds.map((deviceId) => ({
      deviceId,
      keyId: LOCAL_KEY_ID,
      privateKey: this.key(deviceId).export({ type: 'pkcs8', format: 'pem' }).toString(),
    }));
    writeFileSync(file, JSON.stringify({ keys }), { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  private key(deviceId: string): KeyObject {
    let key = this.keys.get(deviceId);
    if (key === undefined) {
      key = ed25519FromSeed(createHash('sha256').update(this.seed).update(deviceId).digest());
      this.keys.set(deviceId, key);
    }
    return key;
  }
}

/** The local simulated devices' seed file in a local data folder (beside the simulator's spool). */
export const localSeedFile = (dataDir: string) => join(dataDir, 'simulator', 'signing-seed');

/** Who signs a spooled event's record when a client sends for several devices: the event's own. */
export function deviceSigner(signers: LocalSigners): (payload: Buffer) => RecordSigner {
  return (payload) => signers.signer(partitionKeyOf(payload, 'device'));
}

/**
 * Who signs a spooled event's record when one edge client relays a whole simulated fleet:
 * the event's store's gateway (detections and outcomes), or the event's own device (an
 * on-call agent's incident). The record builder groups events by signer.
 */
export function fleetSigner(signers: LocalSigners): (payload: Buffer) => RecordSigner {
  // An incident may name a store too, but only its agent may put it.
  return (payload) =>
    payload.includes('"type":"oncall_incident"')
      ? signers.signer(partitionKeyOf(payload, 'device'))
      : signers.signer(gatewayIdOf(partitionKeyOf(payload, 'store')));
}
