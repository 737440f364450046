import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EdgeClient } from '../core/edge-client.js';
import { type LaneCredential, LaneCredentials } from '../credentials/lane-credentials.js';
import { GATEWAY_LIMITS } from '../delivery/gateway-limits.js';
import { namesOtherStore } from '../delivery/store-binding.js';
import { BodyTooLargeError } from '../http/errors.js';
import { createHardenedServer, type HardenedServerLimits } from '../http/hardened-server.js';
import { readBody } from '../http/read-body.js';
import { requestUrl } from '../http/request-url.js';
import { reply, replyNotAccepted, replyTooLarge } from './event-replies.js';
import { parseEventsBody } from './events-body.js';

/**
 * The gateway's HTTP limits: a store's 40 lanes each keep a connection or two open; a request
 * of 1 MiB arrives over the LAN in well under a second, so 15 s is a stuck or hostile client.
 */
export const GATEWAY_HTTP_LIMITS: HardenedServerLimits = {
  maxConnections: 128,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 30_000,
};

export interface GatewayListenerOptions {
  /** The one store this gateway serves: every detection and outcome must name it. */
  readonly storeId: string;
  /** The lanes it accepts (device id and SHA-256 of the token). */
  readonly lanes: readonly LaneCredential[];
  readonly host: string;
  readonly port: number;
  /** Serve HTTPS with this certificate and key (the lanes take the CA as `caFile`). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly log: (line: string) => void;
}

export interface GatewayListener {
  readonly server: Server;
  readonly url: string;
}

/**
 * A store gateway's LAN intake: `POST /v1/lane-events` (NDJSON, a JSON array or one object)
 * from the store's lane PCs, each authenticated by its bearer token. The credential decides
 * the sender: every event of a request must carry the lane's own `deviceId` (403 otherwise),
 * its own `seq` (400 if absent: the gateway never invents one), and, for a detection or an
 * outcome, this gateway's `storeId` (403 otherwise). A body is accepted whole or not at all;
 * the 202 comes once the events are in the gateway's spool (`client.send`, per its fsync
 * mode), as relayed events that keep the lane's `deviceId` and `seq`. `GET /status` answers
 * the gateway's metrics to a lane's token.
 */
export async function listenGateway(
  client: EdgeClient,
  options: GatewayListenerOptions,
): Promise<GatewayListener> {
  const credentials = new LaneCredentials(options.lanes);
  const server = createHardenedServer(
    (req, res) => handleLaneRequest(client, credentials, options.storeId, req, res),
    {
      ...GATEWAY_HTTP_LIMITS,
      service: 'store-gateway',
      log: options.log,
      ...(options.tls !== undefined && { tls: options.tls }),
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const scheme = options.tls === undefined ? 'http' : 'https';
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { server, url: `${scheme}://${host}:${port}` };
}

function problem(status: number, title: string, detail: string, extra: object = {}) {
  return { type: 'about:blank', title, status, detail, ...extra };
}

async function handleLaneRequest(
  client: EdgeClient,
  credentials: LaneCredentials,
  storeId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = requestUrl(req).pathname;
  const known =
    (req.method === 'POST' && path === '/v1/lane-events') ||
    (req.method === 'GET' && path === '/status');
  if (!known) return reply(res, 404, problem(404, 'Not Found', `no ${req.method} ${path}`));
  const auth = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
  const deviceId = auth?.[1] === undefined ? undefined : credentials.identify(auth[1]);
  if (deviceId === undefined) {
    req.resume();
    return reply(
      res,
      401,
      problem(401, 'Unauthorized', 'a lane of this store must send its bearer token'),
      { 'www-authenticate': 'Bearer', ...(!req.complete && { connection: 'close' }) },
    );
  }
  if (req.method === 'GET') return reply(res, 200, client.metrics());
  let body: Buffer;
  try {
    body = await readBody(req, { limit: GATEWAY_LIMITS.bodyBytes });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return replyTooLarge(req, res, error);
  }
  const { events, lines } = parseEventsBody(body.toString('utf8'));
  if (events.length > GATEWAY_LIMITS.eventsPerRequest) {
    return reply(
      res,
      413,
      problem(
        413,
        'Payload Too Large',
        `${events.length} events, over the ${GATEWAY_LIMITS.eventsPerRequest} a request may hold`,
      ),
    );
  }
  const refusal = senderRefusal(events, deviceId, storeId);
  if (refusal !== undefined) return reply(res, refusal.status, refusal.body);
  try {
    const accepted = await client.send(events as never);
    return reply(res, 202, { accepted: accepted.length, eventIds: accepted.map((e) => e.eventId) });
  } catch (error) {
    return replyNotAccepted(res, error, lines);
  }
}

/**
 * The first event that does not come from this lane of this store, as a problem: 403 naming
 * `deviceId` or `storeId`, or 400 naming `seq` when it is absent (a relay would assign one,
 * which could collide with the lane's own). Undefined when every event is the lane's.
 */
function senderRefusal(
  events: readonly unknown[],
  deviceId: string,
  storeId: string,
): { status: number; body: object } | undefined {
  for (let index = 0; index < events.length; index++) {
    const e = events[index];
    if (typeof e !== 'object' || e === null || Array.isArray(e)) continue; // the contract says why
    const event = e as Record<string, unknown>;
    const refuse = (status: number, name: string, reason: string) => ({
      status,
      body: problem(
        status,
        status === 403 ? 'Forbidden' : 'Invalid event',
        `event ${index}: ${name}: ${reason}`,
        {
          errors: [{ name, reason, index }],
        },
      ),
    });
    if (event.deviceId !== deviceId)
      return refuse(403, 'deviceId', `must be this lane's own (${deviceId}), as its token proves`);
    if (event.seq === undefined)
      return refuse(
        400,
        'seq',
        'required: a lane sends its own seq, the gateway never assigns one',
      );
    if (namesOtherStore(event, storeId))
      return refuse(403, 'storeId', `must be this gateway's store (${storeId})`);
  }
  return undefined;
}
