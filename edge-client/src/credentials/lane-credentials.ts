import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** A lane a gateway accepts: its device id and the SHA-256 (hex) of its bearer token. */
export interface LaneCredential {
  readonly deviceId: string;
  readonly tokenSha256: string;
}

/** Shortest lane token accepted: 32 characters (e.g. `openssl rand -hex 16` or longer). */
export const MIN_TOKEN_LENGTH = 32;

/** The SHA-256 (hex) of a lane token: what a gateway's config holds instead of the token. */
export const sha256Hex = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The lanes a gateway accepts, by token hash. `identify` hashes the presented token and
 * compares it with every lane's hash in constant time (no early exit, no lookup keyed by the
 * secret), so how long a refusal takes says nothing about which bytes matched.
 */
export class LaneCredentials {
  private readonly lanes: readonly { deviceId: string; hash: Buffer }[];

  constructor(lanes: readonly LaneCredential[]) {
    const seen = new Set<string>();
    const devices = new Set<string>();
    this.lanes = lanes.map((l) => {
      if (!/^[0-9a-f]{64}$/.test(l.tokenSha256))
        throw new RangeError(`lane ${l.deviceId}: tokenSha256 must be 64 lowercase hex digits`);
      if (seen.has(l.tokenSha256))
        throw new RangeError(`lane ${l.deviceId}: its token hash is another lane's too`);
      // One device, one token: two PCs under one deviceId would share its seq numbers (the
      // processor would drop one's events as the other's), and a replaced PC's old token
      // would stay valid.
      if (devices.has(l.deviceId))
        throw new RangeError(`lane ${l.deviceId} is listed twice: one token per device`);
      seen.add(l.tokenSha256);
      devices.add(l.deviceId);
      return { deviceId: l.deviceId, hash: Buffer.from(l.tokenSha256, 'hex') };
    });
  }

  /** The device id whose token this is, or undefined. */
  identify(token: string): string | undefined {
    const presented = createHash('sha256').update(token).digest();
    let found: string | undefined;
    for (const lane of this.lanes) {
      if (timingSafeEqual(presented, lane.hash) && found === undefined) found = lane.deviceId;
    }
    return found;
  }
}

/** A secret file (a lane token, a TLS key) that others than its owner can read. */
export class SecretFileModeError extends Error {
  constructor(
    readonly file: string,
    readonly mode: number,
  ) {
    super(
      `${file} is readable by others than its owner (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
    );
    this.name = 'SecretFileModeError';
  }
}

/**
 * Reads a secret file (a lane's token, the gateway's TLS key), refusing one that its group or
 * other users may read or write: a token anyone on the PC can read is anyone's identity.
 */
export function readSecretFile(file: string): Buffer {
  const { mode } = statSync(file);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new SecretFileModeError(file, mode);
  return readFileSync(file);
}

/**
 * A bearer token's characters (RFC 6750 `b64token`, RFC 9110 `token68`): what an Authorization
 * header carries as it is. Others are refused by Node's client or re-encoded on the way.
 */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A lane's token from its token file (owner-only), trimmed; at least MIN_TOKEN_LENGTH long. */
export function readLaneToken(file: string): string {
  const token = readSecretFile(file).toString('utf8').trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new RangeError(
      `${file}: a lane token is one word of at least ${MIN_TOKEN_LENGTH} characters`,
    );
  if (!TOKEN68.test(token))
    throw new RangeError(
      `${file}: a lane token is made of token68 characters (A-Z a-z 0-9 - . _ ~ + /, then = padding)`,
    );
  return token;
}
