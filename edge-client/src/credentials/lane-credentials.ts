import { createHash, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

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

/**
 * A secret file (a lane token, a TLS or signing key, a keyring) that is unsafe to read: not a
 * regular file, owned by another user, or too large.
 */
export class SecretFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** A secret file that others than its owner can read. */
export class SecretFileModeError extends SecretFileError {
  constructor(
    file: string,
    readonly mode: number,
  ) {
    super(
      file,
      `${file} is readable by others than its owner (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
    );
    this.name = 'SecretFileModeError';
  }
}

/** The largest secret file read unless a caller says otherwise: a token or a key is far smaller. */
const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/**
 * Reads a secret file (a lane's token, the gateway's TLS key, a signing key or keyring),
 * refusing one that its group or other users may read or write (a token anyone on the PC can
 * read is anyone's identity), one owned by another user than this process's (or root), who
 * could read or replace it, and anything but a regular file (a FIFO would block start-up for
 * ever, a device never ends). A symlink is followed: the file it names is checked. It is
 * opened once, without blocking, and checked and read through that descriptor, so what is
 * checked is what is read; at most `maxBytes` (1 MiB unless given).
 */
export function readSecretFile(file: string, maxBytes = MAX_SECRET_FILE_BYTES): Buffer {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new SecretFileError(file, `${file} is not a regular file (a secret is read from one)`);
    if (process.platform !== 'win32') {
      if ((stat.mode & 0o077) !== 0) throw new SecretFileModeError(file, stat.mode);
      const uid = process.geteuid?.();
      if (uid !== undefined && stat.uid !== uid && stat.uid !== 0)
        throw new SecretFileError(
          file,
          `${file} is owned by uid ${stat.uid}, not by this process's user (uid ${uid}) or root: chown it`,
        );
    }
    const tooLarge = new SecretFileError(file, `${file} is larger than ${maxBytes} bytes`);
    if (stat.size > maxBytes) throw tooLarge;
    // One byte more than fstat said: a file still growing is refused, not read without end.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.byteLength; length += n)
      n = readSync(fd, buffer, length, buffer.byteLength - length, null);
    if (length > stat.size) throw tooLarge;
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
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
