import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { Identifier } from '../contract/index.js';

/**
 * `edge.json`: what the daemon on a panel PC needs. Unknown keys are refused (typos show).
 * The daemon owns the identity of what it sends: `deviceId` is required, and events posted to
 * it carry no `seq` and no other `deviceId` (see EdgeClientOptions.deviceId). `"relay": true`
 * instead is a deliberate mode for a test rig or simulator that forwards a whole fleet's
 * events, each carrying its own `deviceId` and `seq`. Spool and sending settings left out
 * take the edge client's defaults (SpoolOptions, EdgeClientOptions): they are set there only.
 */
export const DaemonConfig = z
  .object({
    /** Kinesis stream name (the stack's StreamName output). */
    streamName: z.string().min(1).max(128),
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
    /** Local HTTP intake for the vision process; omit to disable. */
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8787),
      })
      .strict()
      .optional(),
    /** Read NDJSON events from standard input. */
    stdin: z.boolean().default(true),
    statusIntervalMs: z.number().int().min(100).default(5_000),
    lingerMs: z.number().int().min(0).max(10_000).optional(),
    partitionBy: z.enum(['store', 'device']).optional(),
    aggregate: z.boolean().optional(),
    /** How long SIGTERM waits for the spool to drain before exiting (the rest stays spooled). */
    shutdownFlushMs: z.number().int().min(0).default(5_000),
  })
  .strict()
  .superRefine((config, ctx) => {
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
