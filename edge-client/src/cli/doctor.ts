import { readFileSync } from 'node:fs';
import { open, readdir, rm, stat, statfs } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { readLaneToken } from '../credentials/lane-credentials.js';
import { CredentialsError } from '../errors/credentials-error.js';
import { createKinesisClient } from '../producer/kinesis-client.js';
import {
  DEFAULT_FSYNC_INTERVAL_MS,
  DEFAULT_SPOOL_FSYNC,
  DEFAULT_SPOOL_MAX_BYTES,
  SEGMENT_PATTERN,
} from '../spool/disk-spool.js';
import { readableSpoolFormat } from '../spool/spool-format.js';
import { rawPublicKey } from '../wire/index.js';
import { iotCredentialsFromFiles } from './daemon.js';
import { ConfigError, type DaemonConfig, loadDaemonConfig } from './daemon-config.js';
import { readKeyring, readSigningKey } from './keyring.js';

export type CheckStatus = 'ok' | 'warn' | 'FAIL' | 'skip';

/** One check's verdict: what it found and, for a warning or a failure, the fix. */
export interface CheckResult {
  readonly status: CheckStatus;
  readonly name: string;
  readonly detail: string;
  readonly fix?: string;
}

export interface DoctorOptions {
  readonly configFile: string;
  /**
   * An http(s) URL whose `Date` header is the trusted time. @default the configured Kinesis
   * endpoint (in AWS, `https://kinesis.<region>.amazonaws.com`), or a lane's gateway
   */
  readonly timeSource?: string;
  /** Time each network check may take. @default 5000 */
  readonly timeoutMs?: number;
}

/** The processor refuses an event more than this far ahead of its arrival (event-time rules). */
const CLOCK_FAIL_MS = 15 * 60_000;
const CLOCK_WARN_MS = 60_000;
/** The IoT credentials provider's credentials are fetched again this long before they expire. */
const IOT_REFRESH_MS = 5 * 60_000;

const ok = (name: string, detail: string): CheckResult => ({ status: 'ok', name, detail });
const skip = (name: string, detail: string): CheckResult => ({ status: 'skip', name, detail });
const warn = (name: string, detail: string, fix: string): CheckResult => ({
  status: 'warn',
  name,
  detail,
  fix,
});
const fail = (name: string, detail: string, fix?: string): CheckResult => ({
  status: 'FAIL',
  name,
  detail,
  ...(fix !== undefined && { fix }),
});

/** One line: status, check, what it found, and the fix when there is one. */
export function formatCheck(r: CheckResult): string {
  const fix = r.fix === undefined ? '' : `; fix: ${r.fix}`;
  return `${r.status.padEnd(4)} ${r.name.padEnd(12)} ${r.detail}${fix}`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function isLoopbackUrl(url: string): boolean {
  const h = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/**
 * `edge-client doctor`: checks a panel PC's (or a gateway's) set-up against its config, in
 * order: config, spool folder, free space, fsync mode, spool format, clock, credentials, the
 * stream (or, for a lane, its gateway), the signing key. Nothing it does changes the spool
 * (the writability probe is a file of its own, removed) and nothing lands on the stream.
 */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let config: DaemonConfig;
  try {
    config = loadDaemonConfig(options.configFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [fail('config', error.message, 'correct the keys it names (docs/edge.md, The daemon)')];
  }
  const results: CheckResult[] = [ok('config', `${options.configFile}: ${roleOf(config)}`)];
  results.push(...(await spoolChecks(config.spool)));
  results.push(await clockCheck(config, options.timeSource, timeoutMs));
  if (config.upstream !== undefined) {
    results.push(
      skip('credentials', 'a lane behind a gateway holds no AWS credentials: its lane token'),
    );
    results.push(await gatewayCheck(config.upstream, timeoutMs));
  } else {
    const { result, provider } = await credentialsCheck(config, timeoutMs);
    results.push(result);
    const kinesis = createKinesisClient({
      ...(config.region !== undefined && { region: config.region }),
      ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
      ...(provider !== undefined && { credentials: provider }),
    });
    try {
      results.push(await streamCheck(kinesis, config.streamName as string, timeoutMs));
    } finally {
      kinesis.destroy();
    }
  }
  results.push(signingCheck(config));
  return results;
}

function roleOf(config: DaemonConfig): string {
  if (config.gateway !== undefined) return `valid: the store gateway of ${config.gateway.storeId}`;
  if (config.upstream !== undefined)
    return `valid: lane ${config.deviceId} behind the gateway ${config.upstream.url}`;
  if (config.relay) return 'valid: a relay (a test rig)';
  return `valid: panel PC ${config.deviceId}`;
}

/** The folder, or its nearest ancestor that exists (where a missing spool would be created). */
async function nearestExisting(dir: string): Promise<{ path: string; isDir: boolean }> {
  for (let path = dir; ; path = dirname(path)) {
    const found = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
      throw e;
    });
    if (found !== undefined) return { path, isDir: found.isDirectory() };
    if (dirname(path) === path) return { path, isDir: false };
  }
}

async function spoolChecks(spool: DaemonConfig['spool']): Promise<CheckResult[]> {
  const { dir } = spool;
  const results: CheckResult[] = [];
  const existing = await nearestExisting(dir);
  const exists = existing.path === dir;
  if (!existing.isDir) {
    results.push(
      fail(
        'spool.dir',
        `${existing.path} is not a folder`,
        "point spool.dir at a folder of its own (the unit's StateDirectory=, e.g. /var/lib/edge-client/spool)",
      ),
    );
  } else {
    // A probe of our own name, created and removed: proves the daemon's user may write here
    // (or, for a spool not yet created, in the folder that will hold it).
    const probe = join(existing.path, `.edge-doctor-probe-${process.pid}`);
    try {
      const handle = await open(probe, 'wx');
      await handle.writeFile('probe');
      await handle.close();
      await rm(probe);
      results.push(
        ok(
          'spool.dir',
          exists
            ? `${dir}: writable`
            : `${dir}: absent; ${existing.path} is writable, so it is created on start`,
        ),
      );
    } catch (error) {
      await rm(probe, { force: true }).catch(() => undefined);
      results.push(
        fail(
          'spool.dir',
          `cannot write in ${existing.path}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
          `make ${dir} the daemon user's own (chown it to that user, chmod 700)`,
        ),
      );
    }
  }
  if (existing.isDir) results.push(await spaceCheck(dir, exists, existing.path, spool.maxBytes));
  results.push(fsyncCheck(spool.fsync ?? DEFAULT_SPOOL_FSYNC));
  results.push(await spoolFormatCheck(dir));
  return results;
}

async function spaceCheck(
  dir: string,
  exists: boolean,
  on: string,
  configured: number | undefined,
): Promise<CheckResult> {
  const maxBytes = configured ?? DEFAULT_SPOOL_MAX_BYTES;
  let used = 0;
  if (exists)
    for (const name of await readdir(dir))
      if (SEGMENT_PATTERN.test(name)) used += (await stat(join(dir, name))).size;
  const fs = await statfs(on);
  const free = fs.bavail * fs.bsize;
  // What the spool holds is on disk already; it may still grow by maxBytes - used.
  const detail = `${mib(free)} free, the spool holds ${mib(used)} of its maxBytes ${mib(maxBytes)}`;
  if (free + used < maxBytes)
    return fail(
      'spool.space',
      `${detail}: the disk fills before the spool's bound, and events are then refused with a write error instead of 507`,
      `free ${mib(maxBytes - used - free)} on that file system, or lower spool.maxBytes to at most ${Math.floor(free + used)}`,
    );
  return ok('spool.space', detail);
}

function fsyncCheck(mode: NonNullable<DaemonConfig['spool']['fsync']>): CheckResult {
  if (mode === 'never')
    return warn(
      'spool.fsync',
      'never: an accepted event survives a crash of the daemon, not a power cut',
      'leave spool.fsync out (always) unless the PC has a UPS',
    );
  return ok(
    'spool.fsync',
    mode === 'always'
      ? 'always: an event is on disk before it is acknowledged'
      : `interval: a power cut may lose the last ${DEFAULT_FSYNC_INTERVAL_MS} ms of accepted events`,
  );
}

async function spoolFormatCheck(dir: string): Promise<CheckResult> {
  try {
    const found = await readableSpoolFormat(dir);
    const how = {
      file: 'as its FORMAT file says',
      none: 'no FORMAT file: a spool of an earlier release (or empty), stamped on the next start',
      new: 'a new spool',
    }[found.marker];
    return ok('spool.format', `format ${found.format} (${how})`);
  } catch (error) {
    return fail('spool.format', messageOf(error));
  }
}

/** The `Date` a server answers with, and the local clock at the middle of the exchange. */
function serverDate(
  url: string,
  timeoutMs: number,
  ca?: Buffer,
): Promise<{ serverMs: number; localMs: number; uncertaintyMs: number }> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const sent = Date.now();
    const req = request(
      target,
      { method: 'GET', timeout: timeoutMs, ...(ca !== undefined && { ca }) },
      (res) => {
        const received = Date.now();
        res.resume();
        const date = res.headers.date;
        const serverMs = date === undefined ? Number.NaN : Date.parse(date);
        if (Number.isNaN(serverMs)) {
          reject(new Error(`${url} answered without a Date header`));
          return;
        }
        // A Date has whole seconds: the true server time is in [serverMs, serverMs + 1 s).
        resolve({
          serverMs: serverMs + 500,
          localMs: (sent + received) / 2,
          uncertaintyMs: 500 + (received - sent) / 2,
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function clockCheck(
  config: DaemonConfig,
  configured: string | undefined,
  timeoutMs: number,
): Promise<CheckResult> {
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const source =
    configured ??
    config.upstream?.url ??
    config.endpoint ??
    (region === undefined ? undefined : `https://kinesis.${region}.amazonaws.com/`);
  if (source === undefined)
    return skip('clock', 'no time source: no region nor endpoint (give --time-source URL)');
  if (configured === undefined && isLoopbackUrl(source))
    return skip(
      'clock',
      `the endpoint ${source} is on this machine: its clock is this clock (give --time-source URL)`,
    );
  const ca =
    configured === undefined && config.upstream?.caFile !== undefined
      ? readFileSync(config.upstream.caFile)
      : undefined;
  let found: Awaited<ReturnType<typeof serverDate>>;
  try {
    found = await serverDate(source, timeoutMs, ca);
  } catch (error) {
    return fail(
      'clock',
      `cannot read the time of ${source}: ${messageOf(error)}`,
      'let the PC reach it, or give --time-source URL of a server it trusts',
    );
  }
  const skew = found.localMs - found.serverMs;
  const seconds = Math.round(skew / 1000);
  const detail = `${Math.abs(seconds)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${source} (±${Math.ceil(found.uncertaintyMs / 1000)} s)`;
  const setIt = 'set the clock and keep it synchronised (timedatectl set-ntp true; chrony)';
  if (Math.abs(skew) - found.uncertaintyMs > CLOCK_FAIL_MS)
    return fail(
      'clock',
      `${detail}: over 15 min, ${skew > 0 ? 'the processor refuses its events as clock_skew' : 'its events land on the wrong times and store days'}`,
      setIt,
    );
  if (Math.abs(skew) - found.uncertaintyMs > CLOCK_WARN_MS)
    return warn('clock', `${detail}: over 1 min (the processor refuses past 15 min ahead)`, setIt);
  return ok('clock', detail);
}

const maskedKey = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;

async function credentialsCheck(
  config: DaemonConfig,
  timeoutMs: number,
): Promise<{ result: CheckResult; provider?: AwsCredentialIdentityProvider }> {
  const iot = config.credentials?.iot;
  if (iot !== undefined) {
    let provider: AwsCredentialIdentityProvider;
    let credentials: AwsCredentialIdentity;
    try {
      provider = iotCredentialsFromFiles(iot);
      credentials = await provider();
    } catch (error) {
      return { result: fail('credentials', `IoT: ${messageOf(error)}`, iotFix(error)) };
    }
    return { result: expiryVerdict(credentials, iot.roleAlias), provider };
  }
  const probe = createKinesisClient({
    ...(config.region !== undefined && { region: config.region }),
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
  });
  try {
    const credentials = await Promise.race([
      probe.config.credentials(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('timed out')), timeoutMs).unref(),
      ),
    ]);
    const key = maskedKey(credentials.accessKeyId);
    if (config.endpoint !== undefined && isLoopbackUrl(config.endpoint))
      return {
        result: skip(
          'credentials',
          `the endpoint ${config.endpoint} is a local emulator: it takes any keys (the SDK's chain gave ${key}), so nothing is proven`,
        ),
      };
    return {
      result: ok(
        'credentials',
        `the SDK's default chain gave ${key}${credentials.expiration === undefined ? ' (long-lived)' : `, until ${credentials.expiration.toISOString()}`}`,
      ),
    };
  } catch (error) {
    return {
      result: fail(
        'credentials',
        `the SDK's default chain found none: ${messageOf(error)}`,
        'give credentials.iot (a panel PC holds no long-lived keys), or AWS_* variables / a profile for a test rig',
      ),
    };
  } finally {
    probe.destroy();
  }
}

function iotFix(error: unknown): string {
  if (!(error instanceof CredentialsError))
    return 'make credentials.iot certFile, keyFile and caFile readable PEM files';
  if (error.statusCode === undefined)
    return 'check credentials.iot.endpoint (aws iot describe-endpoint --endpoint-type iot:CredentialProvider), caFile, that the PC reaches it on 443, and that certFile is a certificate AWS IoT knows (a TLS refusal looks like this too)';
  if (error.statusCode === 403 || error.statusCode === 401)
    return "the certificate must be active and attached to the thing and the DeviceIotPolicy, thingName its thing, roleAlias the stack's DeviceRoleAlias";
  return "see the provider's answer above; the IoT role alias must exist";
}

/** Valid credentials that expire as expected: later than the refresh margin, not already. */
function expiryVerdict(credentials: AwsCredentialIdentity, roleAlias: string): CheckResult {
  const left = (credentials.expiration?.getTime() ?? Number.NaN) - Date.now();
  const what = `IoT role alias ${roleAlias} gave ${maskedKey(credentials.accessKeyId)}`;
  const until = credentials.expiration?.toISOString();
  if (Number.isNaN(left) || left <= 0)
    return fail(
      'credentials',
      `${what}, expired already (${until})`,
      'set the clock (see clock); the provider answers one-hour credentials',
    );
  if (left <= IOT_REFRESH_MS)
    return warn(
      'credentials',
      `${what}, expiring in ${Math.round(left / 1000)} s (${until}), inside the 5-min refresh margin: fetched again for every request`,
      "give the role alias's credentialDurationSeconds an hour (the stack's default)",
    );
  return ok(
    'credentials',
    `${what}, expiring ${until} (in ${Math.round(left / 60_000)} min; refreshed 5 min before)`,
  );
}

/** Names an AWS error the SDK threw (its `name`), with its message. */
const awsError = (error: unknown) =>
  `${(error as { name?: string }).name ?? 'Error'}: ${messageOf(error)}`;

/**
 * The stream is reachable and described; put permission is not proven: only a put proves it,
 * and the contract has no record the processor would ignore, so none is put.
 */
async function streamCheck(
  kinesis: KinesisClient,
  streamName: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const unproven = 'put permission is not proven (only a put would prove it; none is made)';
  let summary: Awaited<ReturnType<typeof describe>>;
  const describe = () =>
    kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
  try {
    summary = await describe();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'AccessDeniedException')
      return skip(
        'stream',
        `Kinesis answered and accepted the credentials, but they may not describe ${streamName} (a device role may only put): the stream's name and ${unproven}`,
      );
    if (name === 'ResourceNotFoundException')
      return fail(
        'stream',
        `no stream ${streamName}: ${messageOf(error)}`,
        "set streamName to the stack's StreamName output, and region (or endpoint) to where it is",
      );
    if (
      name === 'UnrecognizedClientException' ||
      name === 'InvalidSignatureException' ||
      name === 'ExpiredTokenException'
    )
      return fail(
        'stream',
        `Kinesis refused the credentials: ${awsError(error)}`,
        'see credentials',
      );
    return fail(
      'stream',
      `Kinesis unreachable or failing: ${awsError(error)}`,
      "check endpoint, region and the PC's route to Kinesis (443)",
    );
  }
  const description = summary.StreamDescriptionSummary;
  const status = description?.StreamStatus ?? 'UNKNOWN';
  if (status !== 'ACTIVE' && status !== 'UPDATING')
    return fail(
      'stream',
      `${streamName} is ${status}`,
      'wait for it to be ACTIVE, or deploy the stack',
    );
  const shards = await kinesis
    .send(new ListShardsCommand({ StreamName: streamName }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    })
    .then(
      (r) => `${r.Shards?.length ?? 0} shards listed`,
      () => 'ListShards denied (records are grouped by partition key)',
    );
  return ok(
    'stream',
    `${streamName} ${status}, ${description?.OpenShardCount ?? '?'} open shards, ${shards}; ${unproven}`,
  );
}

/** A lane's gateway answers `GET /status` to the lane's token (and TLS, with `caFile`). */
async function gatewayCheck(
  upstream: NonNullable<DaemonConfig['upstream']>,
  timeoutMs: number,
): Promise<CheckResult> {
  let token: string;
  try {
    token = readLaneToken(upstream.tokenFile);
  } catch (error) {
    return fail('gateway', `lane token: ${messageOf(error)}`);
  }
  const url = new URL('/status', upstream.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const status = await new Promise<number | Error>((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        timeout: timeoutMs,
        headers: { authorization: `Bearer ${token}` },
        ...(upstream.caFile !== undefined && { ca: readFileSync(upstream.caFile) }),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve(error));
    req.end();
  });
  if (status instanceof Error)
    return fail(
      'gateway',
      `${upstream.url} unreachable: ${status.message}`,
      'check upstream.url and caFile, and that the store gateway runs',
    );
  if (status === 401)
    return fail(
      'gateway',
      `${upstream.url} refused this lane's token (401)`,
      "list this lane in the gateway's gateway.lanes: its deviceId and tokenSha256 (edge-client token-hash --token-file ...)",
    );
  if (status !== 200)
    return fail(
      'gateway',
      `${upstream.url}/status answered ${status}`,
      'is upstream.url a store gateway?',
    );
  return ok('gateway', `${upstream.url} answers this lane's token`);
}

function signingCheck(config: DaemonConfig): CheckResult {
  const { signing } = config;
  if (config.upstream !== undefined)
    return skip('signing', 'a lane behind a gateway puts nothing on the stream: its gateway signs');
  if (signing === undefined)
    return warn(
      'signing',
      'none: records go unsigned, and a processor that refuses unsigned records dead-letters them',
      'give signing: {keyId, keyFile} (docs/edge.md, Signing its records)',
    );
  if (signing.keyringFile !== undefined) {
    try {
      const { devices } = readKeyring(signing.keyringFile);
      return ok('signing', `keyring ${signing.keyringFile}: ${devices} devices' keys, owner-only`);
    } catch (error) {
      return fail('signing', messageOf(error));
    }
  }
  const signer = config.gateway?.deviceId ?? config.deviceId;
  const file = signing.keyFile as string;
  try {
    // An Ed25519 key Node reads from PEM is PKCS#8 ("BEGIN PRIVATE KEY"): the only PEM form
    // of one; an encrypted one needs a passphrase the daemon does not have and fails here.
    const key = readSigningKey(file);
    return ok(
      'signing',
      `key ${signing.keyId} of ${signer}: Ed25519 PKCS#8, owner-only; public key ${rawPublicKey(key)}: the registry must hold it for ${signer} under ${signing.keyId}`,
    );
  } catch (error) {
    const named = error instanceof ConfigError || (error as Error).name === 'SecretFileModeError';
    return fail(
      'signing',
      named ? messageOf(error) : `${file}: not a PEM private key (${messageOf(error)})`,
      named
        ? undefined
        : 'openssl genpkey -algorithm ed25519 -out signing.pem; chmod 600 it; register its public key',
    );
  }
}
