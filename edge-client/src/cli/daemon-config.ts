import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { Identifier } from '../contract/index.js';
import { GATEWAY_LINGER_MS } from '../delivery/gateway-limits.js';

/** How often a daemon sends its own `device_status` (`deviceStatus.intervalMs`): 5 minutes. */
export const DEVICE_STATUS_INTERVAL_MS = 300_000;
/**
 * How often a daemon with nothing new to say still sends its status
 * (`deviceStatus.heartbeatMs`): 10 minutes, every other instant of its interval. Between two,
 * it sends only news (status-news.ts). The pipeline's fleet health keeps a live device's entry
 * younger than its silence threshold for a heartbeat of up to 10 minutes (fleet-health.ts).
 */
export const DEVICE_STATUS_HEARTBEAT_MS = 600_000;
/** The longest heartbeat a config may set: fleet health keeps a live device reporting up to it. */
export const MAX_STATUS_HEARTBEAT_MS = 600_000;

/**
 * A daemon's heartbeat: `heartbeatMs`, or DEVICE_STATUS_HEARTBEAT_MS when that is a whole
 * multiple of the interval, or else the interval itself (every status sent).
 */
export function statusHeartbeatMs(intervalMs: number, heartbeatMs?: number): number {
  if (heartbeatMs !== undefined) return heartbeatMs;
  return DEVICE_STATUS_HEARTBEAT_MS % intervalMs === 0 && DEVICE_STATUS_HEARTBEAT_MS >= intervalMs
    ? DEVICE_STATUS_HEARTBEAT_MS
    : intervalMs;
}

/**
 * `edge.json`: what the daemon on a panel PC needs. Unknown keys are refused (typos show).
 * The daemon owns the identity of what it sends: `deviceId` is required, and events posted to
 * it carry no `seq` and no other `deviceId` (see EdgeClientOptions.deviceId). `"relay": true`
 * instead is a deliberate mode for a test rig or simulator that forwards a whole fleet's
 * events, each carrying its own `deviceId` and `seq`. Spool and sending settings left out
 * take the edge client's defaults (SpoolOptions, EdgeClientOptions): they are set there only.
 */
const Secret = z.string().min(1);

/** Whether a host name or address is this machine's loopback (nothing on the LAN sees it). */
function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const PLAIN_HTTP_REFUSED =
  'lane tokens would cross the store LAN in clear: use TLS, or set plainHttp: true for a LAN you trust';

/** A lane PC behind a store gateway: where it delivers instead of Kinesis. */
const Upstream = z
  .object({
    /** The gateway's URL on the store LAN (`https://` when the gateway has TLS). */
    url: z.url({ protocol: /^https?$/ }),
    /** The store the gateway serves (its `gateway.storeId`): events for another are refused. */
    storeId: Identifier,
    /** File holding this lane's bearer token; must be readable by its owner only. */
    tokenFile: Secret,
    /** CA certificate(s) the gateway's certificate must chain to (TLS). */
    caFile: Secret.optional(),
    /** Time for the gateway's answer to one request. @default 10000 */
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Allow an `http://` URL to a gateway beyond loopback (the token goes in clear). @default false */
    plainHttp: z.boolean().default(false),
  })
  .strict()
  .superRefine((upstream, ctx) => {
    const url = new URL(upstream.url);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !upstream.plainHttp)
      ctx.addIssue({ code: 'custom', path: ['url'], message: PLAIN_HTTP_REFUSED });
  });

/** A store gateway: the lanes of one store deliver to it, it delivers to Kinesis. */
const Gateway = z
  .object({
    /** The one store it serves: every detection and outcome it accepts must name it. */
    storeId: Identifier,
    /** The gateway's own device id (kind `gateway` in the registry): it signs as it. */
    deviceId: Identifier.optional(),
    /** Where it listens on the store LAN. */
    listen: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65_535).default(8788),
      })
      .strict(),
    /** Serve HTTPS (keyFile readable by its owner only). */
    tls: z.object({ certFile: Secret, keyFile: Secret }).strict().optional(),
    /** The lanes it accepts: each lane's device id and the SHA-256 (hex) of its token. */
    lanes: z
      .array(
        z
          .object({
            deviceId: Identifier,
            tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
          })
          .strict(),
      )
      .min(1)
      .max(1_000),
    /**
     * How long the store's records may linger for company before they are put, in ms; a record
     * is cut earlier at a billed-KB boundary (size-aware flush). @default GATEWAY_LINGER_MS (45000)
     */
    lingerMs: z.number().int().min(0).max(300_000).default(GATEWAY_LINGER_MS),
    /** Cut records at a billed-KB boundary before the linger is up. @default true */
    sizeAwareFlush: z.boolean().default(true),
    /** Serve plain HTTP on an address beyond loopback (lane tokens in clear). @default false */
    plainHttp: z.boolean().default(false),
  })
  .strict()
  .superRefine((gateway, ctx) => {
    if (gateway.tls === undefined && !isLoopbackHost(gateway.listen.host) && !gateway.plainHttp)
      ctx.addIssue({ code: 'custom', path: ['tls'], message: PLAIN_HTTP_REFUSED });
  });

export const DaemonConfig = z
  .object({
    /** Kinesis stream name (the stack's StreamName output); not for a lane behind a gateway. */
    streamName: z.string().min(1).max(128).optional(),
    /** Deliver to a store gateway instead of Kinesis (a lane PC of a store with a gateway). */
    upstream: Upstream.optional(),
    /** Run as the store gateway instead of a panel PC's daemon. */
    gateway: Gateway.optional(),
    /** This PC's device id: every event is sent as it, with the daemon's own `seq`. */
    deviceId: Identifier.optional(),
    /**
     * Relay events as they identify themselves (their own `deviceId` and `seq`) instead of
     * sending as one device: for a test rig or simulator, never a panel PC. @default false
     */
    relay: z.boolean().default(false),
    /** AWS region; default from the environment. */
    region: z.string().min(1).optional(),
    /** Kinesis endpoint override; default the SDK's (AWS_ENDPOINT_URL_KINESIS). */
    endpoint: z.url().optional(),
    /**
     * Temporary AWS credentials from the IoT credentials provider, for the device certificate
     * (no long-lived keys on the PC). Omit to use the SDK's default credential chain.
     */
    credentials: z
      .object({
        iot: z
          .object({
            endpoint: z.string().min(1),
            roleAlias: z.string().min(1),
            thingName: z.string().min(1),
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
            caFile: z.string().min(1).optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
    spool: z
      .object({
        dir: z.string().min(1),
        maxBytes: z.number().int().min(1024).optional(),
        segmentBytes: z.number().int().min(1024).optional(),
        fsync: z.enum(['always', 'interval', 'never']).optional(),
        whenFull: z.enum(['reject', 'block']).optional(),
      })
      .strict(),
    /**
     * Sign every record put to Kinesis (docs/contract.md, "Signed records") with this
     * Ed25519 private key (PKCS#8 PEM, readable by its owner only), registered under `keyId`
     * for this PC's `deviceId` (or the gateway's `gateway.deviceId`).
     */
    signing: z
      .object({
        keyId: Identifier.optional(),
        keyFile: Secret.optional(),
        /**
         * A relay only (a test rig forwarding a simulated fleet), instead of keyId and keyFile:
         * a keyring file (owner-only; its format is KeyringFile in keyring.ts) with each device's
         * key. Every event is signed as its own device, and an event of a device the keyring
         * lacks is refused at intake. A real panel PC never holds another device's key.
         */
        keyringFile: Secret.optional(),
      })
      .strict()
      .superRefine((s, ctx) => {
        const own = s.keyId !== undefined || s.keyFile !== undefined;
        if (s.keyringFile !== undefined && own)
          ctx.addIssue({
            code: 'custom',
            message: 'either keyId and keyFile (this device) or keyringFile (a relay), not both',
          });
        else if (s.keyringFile === undefined)
          for (const key of ['keyId', 'keyFile'] as const)
            if (s[key] === undefined)
              ctx.addIssue({ code: 'custom', path: [key], message: 'required' });
      })
      .optional(),
    /** Local HTTP intake for the vision process; omit to disable. */
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8787),
      })
      .strict()
      .optional(),
    /** Read NDJSON events from standard input. @default true (false for a gateway) */
    stdin: z.boolean().optional(),
    statusIntervalMs: z.number().int().min(100).default(5_000),
    /**
     * The daemon's own `device_status` events, for the pipeline's fleet health: its spool's
     * depth and age, its last error, its version and models, every `intervalMs`. On for a
     * gateway with a deviceId (its store is the gateway's) and for a device that names its
     * `storeId` here; `false` turns them off.
     */
    deviceStatus: z
      .union([
        z.literal(false),
        z
          .object({
            storeId: Identifier.optional(),
            intervalMs: z
              .number()
              .int()
              .min(10_000)
              .max(3_600_000)
              .default(DEVICE_STATUS_INTERVAL_MS),
            heartbeatMs: z.number().int().min(10_000).max(3_600_000).optional(),
          })
          .strict(),
      ])
      .optional(),
    lingerMs: z.number().int().min(0).max(10_000).optional(),
    partitionBy: z.enum(['store', 'device']).optional(),
    aggregate: z.boolean().optional(),
    /** How long SIGTERM waits for the spool to drain before exiting (the rest stays spooled). */
    shutdownFlushMs: z.number().int().min(0).default(5_000),
  })
  .strict()
  .superRefine((config, ctx) => {
    const refuse = (key: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [key], message });
    if (config.deviceStatus) {
      const { intervalMs, heartbeatMs } = config.deviceStatus;
      const refuseHeartbeat = (message: string) =>
        ctx.addIssue({ code: 'custom', path: ['deviceStatus', 'heartbeatMs'], message });
      if (heartbeatMs === undefined) {
        // An interval over the cap is its own heartbeat (statusHeartbeatMs).
      } else if (heartbeatMs > MAX_STATUS_HEARTBEAT_MS)
        refuseHeartbeat(
          `at most ${MAX_STATUS_HEARTBEAT_MS} (10 minutes): past it a live device can read as silent in fleet health`,
        );
      else if (heartbeatMs % intervalMs !== 0 || heartbeatMs < intervalMs)
        refuseHeartbeat(
          intervalMs > MAX_STATUS_HEARTBEAT_MS / 2
            ? `a whole multiple of intervalMs (${intervalMs}), at most ${MAX_STATUS_HEARTBEAT_MS}: ${intervalMs <= MAX_STATUS_HEARTBEAT_MS ? `${intervalMs} (every status)` : 'none; omit heartbeatMs'}`
            : `a whole multiple of intervalMs (${intervalMs}), such as ${2 * intervalMs}`,
        );
    }
    if (config.signing !== undefined && config.upstream !== undefined)
      refuse('signing', 'a lane behind a gateway puts nothing on the stream: its gateway signs');
    if (
      config.signing !== undefined &&
      config.gateway !== undefined &&
      config.gateway.deviceId === undefined
    )
      refuse('gateway', 'deviceId: required to sign: the device id the gateway is registered as');
    const keyring = config.signing !== undefined && 'keyringFile' in config.signing;
    if (config.signing !== undefined && config.relay && !keyring)
      refuse(
        'signing',
        "a relay carries other devices' events, which no one key may sign: give it a keyringFile",
      );
    if (keyring && !config.relay)
      refuse('signing', 'keyringFile: a relay only; a device signs with its own keyId and keyFile');
    if (config.upstream !== undefined) {
      for (const key of ['streamName', 'endpoint', 'credentials', 'gateway'] as const)
        if (config[key] !== undefined)
          refuse(key, 'a lane behind a gateway (upstream) does not talk to Kinesis: remove it');
      if (config.relay) refuse('relay', 'a lane behind a gateway sends as its own deviceId');
    } else if (config.streamName === undefined) {
      refuse('streamName', 'required (or "upstream" for a lane behind a store gateway)');
    }
    if (config.gateway !== undefined) {
      if (config.deviceId !== undefined || config.relay)
        refuse(
          config.relay ? 'relay' : 'deviceId',
          "a gateway relays its lanes' events under their own deviceIds: remove it",
        );
      if (config.http !== undefined)
        refuse('http', "a gateway's intake is gateway.listen (authenticated lanes only)");
      if (config.stdin === true) refuse('stdin', 'a gateway takes events from its lanes only');
      if (config.lingerMs !== undefined) refuse('lingerMs', 'a gateway takes gateway.lingerMs');
      return;
    }
    if (!config.relay && config.deviceId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['deviceId'],
        message:
          'required: the device id this daemon sends as (or "relay": true for a test rig that forwards events carrying their own deviceId and seq)',
      });
    }
    if (config.relay && config.deviceId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['relay'],
        message:
          'a relay forwards each event as its own device, so it takes no deviceId: keep one of the two',
      });
    }
  });
export type DaemonConfig = z.infer<typeof DaemonConfig>;

/** Thrown for an unreadable or invalid config; the message names each offending key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadDaemonConfig(file: string): DaemonConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = DaemonConfig.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => `${[...i.path, k].join('.')}: unknown key`)
        : [`${i.path.join('.') || '(config)'}: ${i.message}`],
    );
    throw new ConfigError(`invalid config ${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}
