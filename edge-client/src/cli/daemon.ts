import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { EdgeClient, type EdgeClientMetrics } from '../core/edge-client.js';
import { iotCredentialsProvider } from '../credentials/iot-credentials-provider.js';
import { readLaneToken, readSecretFile } from '../credentials/lane-credentials.js';
import { BodyTooLargeError } from '../http/errors.js';
import { createHardenedServer, type HardenedServerLimits } from '../http/hardened-server.js';
import { readBody } from '../http/read-body.js';
import { requestUrl } from '../http/request-url.js';
import { createKinesisClient } from '../producer/kinesis-client.js';
import { atStatusPhase, isHeartbeatInstant } from '../utils/status-phase.js';
import {
  type DaemonConfig,
  DEVICE_STATUS_INTERVAL_MS,
  statusHeartbeatMs,
} from './daemon-config.js';
import { describe, reply, replyNotAccepted, replyTooLarge } from './event-replies.js';
import { parseEventsBody } from './events-body.js';
import { listenGateway } from './gateway-server.js';
import { readKeyring, readSecretConfigFile, readSigningKey } from './keyring.js';
import { DAEMON_VERSION } from './version.js';

/** Largest `POST /events` body. */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * An oversized body is read to its end (discarding it) before the 413, so the sender gets the
 * answer rather than a reset connection; past this the connection is cut.
 */
const MAX_DISCARD_BYTES = 64 * MAX_BODY_BYTES;

/**
 * The HTTP intake's limits, for a local sender (the vision process on the same PC): a 1 MiB
 * body arrives in milliseconds, so a request still incomplete after 15 s is a stuck or hostile
 * client, and a few dozen connections are far more than one panel PC opens.
 */
export const DAEMON_HTTP_LIMITS: HardenedServerLimits = {
  maxConnections: 32,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
};

export interface Daemon {
  readonly client: EdgeClient;
  /** The HTTP intake's address, when enabled. */
  readonly url: string | undefined;
  /** A gateway's LAN address (`gateway` mode). */
  readonly gatewayUrl: string | undefined;
  /** Stops intake, drains for up to `shutdownFlushMs`, closes the spool. */
  stop(): Promise<{ drained: boolean }>;
}

export interface DaemonIo {
  readonly stdin?: Readable;
  readonly log: (line: string) => void;
}

/** One status line: rate, spool depth, lag, last error. */
export function statusLine(
  m: EdgeClientMetrics,
  previous: EdgeClientMetrics | undefined,
  intervalMs: number,
): string {
  const rate = previous === undefined ? 0 : ((m.sent - previous.sent) * 1000) / intervalMs;
  return [
    'status',
    `accepted=${m.accepted}`,
    `sent=${m.sent}`,
    `rate=${rate.toFixed(1)}/s`,
    `spool=${(m.spoolBytes / 1024 / 1024).toFixed(2)}MiB`,
    `lag=${m.oldestEventAgeMs}ms`,
    `retried=${m.retried}`,
    `rejected=${m.rejected}`,
    `lastError=${m.lastError === undefined ? '-' : `${m.lastError.code}@${m.lastError.at}`}`,
  ].join(' ');
}

/**
 * The panel-PC daemon: events in as NDJSON on stdin and on `POST /events`, durably spooled by
 * the edge client, a status line every few seconds. Accepting means spooled: an HTTP 202 or a
 * silent stdin line is a promise the event will reach the stream (or, for a lane with an
 * `upstream`, its store gateway, which then owes the same promise). With `gateway` it is the
 * store gateway instead: its lanes' events in on the LAN, spooled, put to Kinesis by store.
 */
export async function startDaemon(config: DaemonConfig, io: DaemonIo): Promise<Daemon> {
  const client = await openEdgeClient(config);
  if (config.signing === undefined && config.upstream === undefined)
    io.log(
      JSON.stringify({
        level: 'WARN',
        message:
          'no signing key: records go unsigned, and a stage that refuses unsigned records (the default) dead-letters them; give "signing" (docs/edge.md, Signing its records)',
      }),
    );
  const status = reportStatus(client, config.statusIntervalMs, io.log);
  const deviceStatus = sendDeviceStatus(client, config, io.log);
  const intake =
    config.http === undefined ? undefined : await listenHttp(client, config.http, io.log);
  const gateway =
    config.gateway === undefined
      ? undefined
      : await listenGateway(client, {
          storeId: config.gateway.storeId,
          lanes: config.gateway.lanes,
          host: config.gateway.listen.host,
          port: config.gateway.listen.port,
          ...(config.gateway.tls !== undefined && {
            tls: {
              cert: readFileSync(config.gateway.tls.certFile),
              key: readSecretFile(config.gateway.tls.keyFile),
            },
          }),
          log: io.log,
        });
  const stdinDone =
    (config.stdin ?? config.gateway === undefined) && io.stdin !== undefined
      ? readStdinEvents(client, io.stdin, io.log)
      : Promise.resolve();
  const servers = [intake?.server, gateway?.server].filter((s) => s !== undefined);
  return {
    client,
    url: intake?.url,
    gatewayUrl: gateway?.url,
    stop: async () => {
      status.stop();
      deviceStatus.stop();
      for (const server of servers) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
      }
      io.stdin?.destroy();
      await stdinDone.catch(() => undefined);
      const result = await client.close(config.shutdownFlushMs);
      status.logLast();
      return result;
    },
  };
}

/**
 * The edge client on the configured spool: to the configured stream (with IoT credentials if
 * configured), or, for a lane with an `upstream`, to its store gateway; a gateway's client
 * relays (its lanes' events keep their deviceId and seq) and lingers by the size-aware rule.
 */
function openEdgeClient(config: DaemonConfig): Promise<EdgeClient> {
  const { upstream, gateway } = config;
  if (upstream !== undefined) {
    return EdgeClient.open({
      gateway: {
        url: upstream.url,
        storeId: upstream.storeId,
        token: readLaneToken(upstream.tokenFile),
        ...(upstream.caFile !== undefined && { ca: readFileSync(upstream.caFile) }),
        ...(upstream.timeoutMs !== undefined && { timeoutMs: upstream.timeoutMs }),
      },
      ...(config.deviceId !== undefined && { deviceId: config.deviceId }),
      spool: config.spool,
      lingerMs: config.lingerMs,
    });
  }
  return EdgeClient.open({
    ...(config.streamName !== undefined && { streamName: config.streamName }),
    ...(gateway !== undefined && {
      lingerMs: gateway.lingerMs,
      sizeAwareFlush: gateway.sizeAwareFlush,
    }),
    kinesis: createKinesisClient({
      ...(config.region !== undefined && { region: config.region }),
      ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
      ...(config.credentials !== undefined && {
        credentials: iotCredentialsFromFiles(config.credentials.iot),
      }),
    }),
    ...(config.deviceId !== undefined && { deviceId: config.deviceId }),
    spool: config.spool,
    ...(gateway === undefined && { lingerMs: config.lingerMs }),
    partitionBy: config.partitionBy,
    aggregate: config.aggregate,
    ...(config.signing !== undefined && {
      signer:
        config.signing.keyringFile !== undefined
          ? readKeyring(config.signing.keyringFile)
          : {
              signer: (gateway?.deviceId ?? config.deviceId) as string,
              keyId: config.signing.keyId as string,
              privateKey: readSigningKey(config.signing.keyFile as string),
            },
    }),
  });
}

/**
 * The daemon's device_status at start, then every `deviceStatus.intervalMs` when it has news and
 * every `deviceStatus.heartbeatMs` when it has none (status-news.ts), when it knows
 * its device and store: a gateway's own, or a device that names its store. A relay sends none
 * (it speaks for simulated devices). A status that cannot be spooled (a full spool) is logged.
 */
function sendDeviceStatus(
  client: EdgeClient,
  config: DaemonConfig,
  log: (line: string) => void,
): { stop(): void } {
  const deviceId = config.gateway?.deviceId ?? config.deviceId;
  const storeId =
    config.deviceStatus === false
      ? undefined
      : (config.deviceStatus?.storeId ?? config.gateway?.storeId ?? config.upstream?.storeId);
  if (config.relay || deviceId === undefined || storeId === undefined)
    return { stop: () => undefined };
  const intervalMs = (config.deviceStatus || undefined)?.intervalMs ?? DEVICE_STATUS_INTERVAL_MS;
  const heartbeatMs = statusHeartbeatMs(
    intervalMs,
    (config.deviceStatus || undefined)?.heartbeatMs,
  );
  const send = (onlyNews: boolean) =>
    client.sendStatus(deviceId, storeId, DAEMON_VERSION, { onlyNews }).catch((error: unknown) =>
      log(
        JSON.stringify({
          level: 'WARN',
          message: 'device status not spooled',
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    );
  void send(false);
  // Then at the store's phase of the wall clock (statusPhaseMs): every daemon of one store
  // reports at the same instants, so one write of the store's fleet health item keeps them all.
  // Between its heartbeats (instants of the same phase) a daemon sends only news.
  return atStatusPhase(
    storeId,
    intervalMs,
    (at) => void send(!isHeartbeatInstant(at, storeId, heartbeatMs)),
  );
}

/** A status line every `intervalMs`, its rate over the interval before; `logLast` one more. */
function reportStatus(
  client: EdgeClient,
  intervalMs: number,
  log: (line: string) => void,
): { stop(): void; logLast(): void } {
  let previous: EdgeClientMetrics | undefined;
  const timer = setInterval(() => {
    const m = client.metrics();
    log(statusLine(m, previous, intervalMs));
    previous = m;
  }, intervalMs);
  return {
    stop: () => clearInterval(timer),
    logLast: () => log(statusLine(client.metrics(), previous, intervalMs)),
  };
}

/** The HTTP intake (`POST /events`, `GET /status`), listening; its URL has the bound port. */
async function listenHttp(
  client: EdgeClient,
  http: NonNullable<DaemonConfig['http']>,
  log: (line: string) => void,
): Promise<{ server: Server; url: string }> {
  const server = createHardenedServer((req, res) => handleHttp(client, req, res), {
    ...DAEMON_HTTP_LIMITS,
    service: 'edge-daemon',
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(http.port, http.host, () => resolve());
  });
  return { server, url: `http://${http.host}:${(server.address() as AddressInfo).port}` };
}

/**
 * NDJSON events from stdin until it ends, one line at a time, in order: each is spooled before
 * the next is read; a refused line is logged with its number.
 */
function readStdinEvents(
  client: EdgeClient,
  stdin: Readable,
  log: (line: string) => void,
): Promise<void> {
  const lines = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY });
  return (async () => {
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      try {
        await client.send(JSON.parse(line));
      } catch (error) {
        log(
          JSON.stringify({
            level: 'WARN',
            message: 'stdin event refused',
            line: n,
            error: describe(error),
          }),
        );
      }
    }
  })();
}

export function iotCredentialsFromFiles(iot: NonNullable<DaemonConfig['credentials']>['iot']) {
  return iotCredentialsProvider({
    endpoint: iot.endpoint,
    roleAlias: iot.roleAlias,
    thingName: iot.thingName,
    cert: readFileSync(iot.certFile),
    // The certificate's private key: owner-only, like every secret file the daemon reads.
    key: readSecretConfigFile(iot.keyFile),
    ...(iot.caFile !== undefined && { ca: readFileSync(iot.caFile) }),
  });
}

async function handleHttp(
  client: EdgeClient,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = requestUrl(req).pathname;
  if (req.method === 'GET' && path === '/status') return reply(res, 200, client.metrics());
  if (req.method !== 'POST' || path !== '/events') {
    return reply(res, 404, { type: 'about:blank', title: 'Not Found', status: 404 });
  }
  let body: Buffer;
  try {
    body = await readBody(req, { limit: MAX_BODY_BYTES, discardLimit: MAX_DISCARD_BYTES });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return replyTooLarge(req, res, error);
  }
  // A line that is not JSON throws a 400 naming it; the server answers it.
  const { events, lines } = parseEventsBody(body.toString('utf8'));
  try {
    const accepted = await client.send(events as never);
    return reply(res, 202, { accepted: accepted.length, eventIds: accepted.map((e) => e.eventId) });
  } catch (error) {
    return replyNotAccepted(res, error, lines);
  }
}
