import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { HttpRequestError, RequestAbortedError } from './errors.js';

/** A request handler; whatever it throws or rejects with, the server answers or closes. */
export type HardenedHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** What to answer for a refused or failed request (`error` is undefined for a 500). */
export type ErrorResponder = (
  status: number,
  error: HttpRequestError | undefined,
) => { readonly headers: OutgoingHttpHeaders; readonly body: string };

export interface HardenedServerOptions {
  /** Names the server in its log lines. */
  readonly service: string;
  /** Where a failed request is logged, one JSON line each (no headers, no bodies). */
  readonly log: (line: string) => void;
  /** Connections open at once; one more is closed on arrival. @default 64 */
  readonly maxConnections?: number;
  /** Time for a request's headers to arrive (408 after). @default 10_000 */
  readonly headersTimeoutMs?: number;
  /** Time for a whole request, body included, to arrive (408 after). @default 30_000 */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. @default 5_000 */
  readonly keepAliveTimeoutMs?: number;
  /** The body of refusals and failures. @default an RFC 9457 problem document */
  readonly errorResponse?: ErrorResponder;
  /** Serve HTTPS with this certificate (PEM chain) and key. @default plain HTTP */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
}

/** The options with every default filled in (resolved once, when the server is made). */
export type HardenedServerLimits = Required<
  Pick<
    HardenedServerOptions,
    'maxConnections' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'
  >
>;

export const DEFAULT_SERVER_LIMITS: HardenedServerLimits = {
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** The default answer: `application/problem+json` with the error's title and detail. */
export const problemResponse: ErrorResponder = (status, error) => ({
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: 'about:blank',
    title: error?.title ?? REASONS[status] ?? 'Error',
    status,
    ...(error !== undefined && { detail: error.detail }),
  }),
});

/**
 * A node:http server that survives any request: a handler's throw or rejection becomes a
 * 4xx/5xx answer (or, when no answer is possible any more, a closed socket) and one log line;
 * malformed HTTP is answered 400/431 by a `clientError` handler; slow or idle clients are cut
 * by header, request and keep-alive timeouts; and connections beyond `maxConnections` are
 * refused. Bodies are read with `readBody`, which bounds them.
 */
export function createHardenedServer(
  handler: HardenedHandler,
  options: HardenedServerOptions,
): Server {
  const limits = resolveLimits(options);
  const respond = options.errorResponse ?? problemResponse;
  const log = serverLog(options);
  const settings = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
  const listener = guardedListener(handler, log, respond);
  // An https.Server is an http.Server in all the server needs (listen, close, clientError).
  const server =
    options.tls === undefined
      ? createServer(settings, listener)
      : (createHttpsServer({ ...settings, ...options.tls }, listener) as unknown as Server);
  if (options.tls !== undefined) {
    // A failed TLS handshake (a scanner, a wrong CA) costs one log line and its socket.
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      log('WARN', 'TLS handshake failed', { error: describe(error) });
      socket.destroy();
    });
  }
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    refuseMalformed(error, socket, respond),
  );
  return server;
}

/** Writes one JSON line: level, service, message, then the fields. */
type ServerLog = (level: string, message: string, fields: Record<string, unknown>) => void;

function resolveLimits(options: HardenedServerOptions): HardenedServerLimits {
  return {
    maxConnections: options.maxConnections ?? DEFAULT_SERVER_LIMITS.maxConnections,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_SERVER_LIMITS.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_SERVER_LIMITS.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs,
  };
}

/** `options.log` as a ServerLog that never throws. */
function serverLog(options: HardenedServerOptions): ServerLog {
  return (level, message, fields) => {
    try {
      options.log(JSON.stringify({ level, service: options.service, message, ...fields }));
    } catch {
      // a log sink that fails must not take the request (or the process) with it
    }
  };
}

/** The request listener: runs the handler; whatever it throws or rejects with goes to failRequest. */
function guardedListener(
  handler: HardenedHandler,
  log: ServerLog,
  respond: ErrorResponder,
): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) =>
    failRequest(req, res, error, log, respond);
  return (req, res) => {
    res.on('error', (error) => log('WARN', 'response failed', { error: describe(error) }));
    let running: Promise<void> | void;
    try {
      running = handler(req, res);
    } catch (error) {
      fail(req, res, error);
      return;
    }
    if (running !== undefined) running.catch((error: unknown) => fail(req, res, error));
  };
}

/**
 * A failed request: logged once; answered with the error's status (500 if it has none), or,
 * when no answer is possible any more, its socket closed.
 */
function failRequest(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  log: ServerLog,
  respond: ErrorResponder,
): void {
  const known = error instanceof HttpRequestError ? error : undefined;
  const status = known?.status ?? 500;
  // Once a request is destroyed (a body cut off past its limit) Node has let go of its socket.
  const gone = error instanceof RequestAbortedError || req.socket?.destroyed !== false;
  log(status >= 500 ? 'ERROR' : 'WARN', gone ? 'request aborted' : 'request failed', {
    method: req.method,
    path: pathOf(req),
    status: gone ? undefined : status,
    error: describe(error),
  });
  if (gone || res.headersSent) {
    res.destroy();
    return;
  }
  const answer = respond(status, known);
  // After a refused body the rest of the upload is not read: the connection ends.
  res.writeHead(status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
    ...(!req.complete && { connection: 'close' }),
  });
  res.end(answer.body);
}

/** Malformed HTTP, or headers too slow or too large: a raw 400/408/431 if the socket can take one, then close. */
function refuseMalformed(
  error: NodeJS.ErrnoException,
  socket: Socket,
  respond: ErrorResponder,
): void {
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const open = socket as Socket & { _httpMessage?: { headersSent?: boolean } };
  if (error.code !== 'ECONNRESET' && socket.writable && open._httpMessage?.headersSent !== true) {
    const answer = respond(status, undefined);
    const head = Object.entries({
      ...answer.headers,
      'content-length': Buffer.byteLength(answer.body),
      connection: 'close',
    })
      .map(([name, value]) => `${name}: ${String(value)}`)
      .join('\r\n');
    socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${head}\r\n\r\n${answer.body}`);
  }
  socket.destroySoon();
}

/** The path without its query (which may carry cursors or other caller data). */
function pathOf(req: IncomingMessage): string {
  const target = req.url ?? '';
  const end = target.search(/[?#]/);
  return (end === -1 ? target : target.slice(0, end)).slice(0, 200);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const code = (error as NodeJS.ErrnoException).code;
  return `${error.name}${code === undefined ? '' : ` (${code})`}: ${error.message}`.slice(0, 300);
}
