import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  BodyTooLargeError,
  createHardenedServer,
  type ErrorResponder,
  type HardenedServerLimits,
  readBody,
  requestUrl,
} from '#edge-client';
import {
  type ApiFunction,
  ApiThrottle,
  type ApiThrottleLimits,
  matchRoute,
  ROUTES,
  routeKeyOf,
} from '#impact-api';
import { MCP_PATH, PROTECTED_RESOURCE_PATHS } from '#mcp';
import type { DevIssuer } from './dev-issuer.js';
import { handleLocalSignIn, withLocalSignIn } from './local-sign-in.js';

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiServerOptions {
  /** The impact API's handler: the routes of ROUTES with `function: 'impact-api'`. */
  readonly handler: ApiHandler;
  /** The ops API's handler: the routes with `function: 'ops-api'` (`/v1/ops/*`). */
  readonly opsHandler: ApiHandler;
  readonly issuer: DevIssuer;
  readonly port: number;
  readonly host?: string;
  /**
   * Rate limits: the stage's (as deployed), each caller's, and unauthenticated requests' per
   * source IP. @default API_THROTTLE, PER_CALLER_THROTTLE, UNAUTHENTICATED_THROTTLE
   */
  readonly throttle?: Partial<ApiThrottleLimits>;
  /**
   * The dashboard, as CloudFront serves it in AWS: the built files at `/`, and `/config.json`
   * telling the page how to sign in. API routes win over files.
   */
  readonly site?: {
    readonly dir: string;
    readonly config: unknown;
    /** One-click sign-in buttons (local-sign-in.ts): the embedded stack's page only. */
    readonly localSignIn?: boolean;
  };
  /**
   * The MCP function's handler (`createMcpLambdaHandler`, as deployed): `/mcp` behind the
   * token check as the JWT authorizer is, and the public protected-resource metadata.
   */
  readonly mcp?: ApiHandler;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A GET for a dashboard file, or undefined if the path is not one (then the API answers). */
async function siteFile(
  site: NonNullable<ApiServerOptions['site']>,
  method: string,
  pathname: string,
): Promise<{ type: string; body: Buffer | string } | undefined> {
  if (method !== 'GET') return undefined;
  if (pathname === '/config.json')
    return { type: 'application/json', body: JSON.stringify(site.config) };
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
  const file = normalize(join(site.dir, relative));
  if (!file.startsWith(normalize(site.dir) + sep) || !CONTENT_TYPES[extname(file)])
    return undefined;
  try {
    const body = await readFile(file);
    if (site.localSignIn === true && relative === 'index.html')
      return { type: CONTENT_TYPES['.html'] as string, body: withLocalSignIn(body.toString()) };
    return { type: CONTENT_TYPES[extname(file)] as string, body };
  } catch {
    return undefined;
  }
}

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Largest request body the stand-in passes to a handler (413 past it). */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** The stand-in's connection limits and timeouts (API Gateway's integration timeout is 30 s). */
export const API_SERVER_LIMITS: HardenedServerLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
  requestId: string = randomUUID(),
) {
  // API Gateway puts its own request id on every response, its own refusals included; for a
  // request it passed on, the same id the handler saw in `requestContext.requestId`.
  res.writeHead(status, {
    'content-length': Buffer.byteLength(body),
    'apigw-requestid': requestId,
    ...headers,
  });
  res.end(body);
}

/** API Gateway's own refusals: `{"message": ...}` JSON, no problem document, no x-request-id. */
const gatewayRefusal = (
  res: ServerResponse,
  status: 401 | 404 | 429,
  extra: Record<string, string> = {},
) =>
  send(
    res,
    status,
    { 'content-type': 'application/json', ...extra },
    JSON.stringify({ message: GATEWAY_MESSAGES[status] }),
  );

const GATEWAY_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** What the hardened server answers for malformed, oversized or failed requests. */
const gatewayError: ErrorResponder = (status) => ({
  headers: { 'content-type': 'application/json', 'apigw-requestid': randomUUID() },
  body: JSON.stringify({ message: GATEWAY_MESSAGES[status] ?? 'Error' }),
});

/** API Gateway's answer to a missing or invalid token. */
const unauthorized = (res: ServerResponse) =>
  gatewayRefusal(res, 401, { 'www-authenticate': 'Bearer' });

const bearerOf = (req: IncomingMessage) =>
  /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];

/**
 * A stand-in for API Gateway (HTTP API, payload 2.0, JWT authorizer) in front of the impact
 * API and ops API handlers: it matches the same route list the CDK stack deploys, hands each
 * route to the function the list names, answers like API
 * Gateway for unknown routes (404) and missing or invalid tokens (401), and hands the
 * verified claims to the handler in `requestContext.authorizer.jwt.claims`.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const throttle = new ApiThrottle(options.throttle);
  const server: Server = createHardenedServer(
    async (req, res) => {
      const url = requestUrl(req);
      if (
        options.site?.localSignIn === true &&
        (await handleLocalSignIn(req, res, url.pathname, options.issuer))
      )
        return;
      // Static files come from CloudFront in AWS, not through the API stage and its throttle.
      if (options.site !== undefined) {
        const file = await siteFile(options.site, req.method ?? 'GET', url.pathname).catch(
          () => undefined,
        );
        if (file !== undefined) {
          res.writeHead(200, {
            'content-type': file.type,
            'content-length': Buffer.byteLength(file.body),
            'cache-control': 'no-cache',
            'x-content-type-options': 'nosniff',
          });
          res.end(file.body);
          return;
        }
      }
      // The throttle keys a request by the subject its token proves, else by its source: a
      // request without a valid token is never charged to the stage or to any caller.
      const token = bearerOf(req);
      const claims = token === undefined ? undefined : await options.issuer.verify(token);
      const subject = typeof claims?.sub === 'string' ? claims.sub : undefined;
      const admitted = throttle.admit(
        subject !== undefined ? { subject } : { sourceIp: req.socket.remoteAddress ?? 'unknown' },
      );
      if (!admitted) {
        gatewayRefusal(res, 429, { 'retry-after': '1' });
        return;
      }
      await handle(req, res, options, url, claims);
    },
    {
      ...API_SERVER_LIMITS,
      service: 'local-api',
      log: (line) => console.error(line),
      errorResponse: gatewayError,
    },
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One request past the throttle: to the MCP endpoint, or as an API Gateway event to the handler. */
async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: ApiServerOptions,
  url: URL,
  verified: Record<string, unknown> | undefined,
) {
  const method = req.method ?? 'GET';
  const matched =
    options.mcp === undefined
      ? matchGatewayRoute(method, url.pathname)
      : (matchMcpRoute(method, url.pathname) ?? matchGatewayRoute(method, url.pathname));
  if (matched === undefined) {
    gatewayRefusal(res, 404);
    return;
  }
  const claims = !matched.auth ? {} : verified;
  if (claims === undefined) {
    unauthorized(res);
    return;
  }
  let raw: Buffer;
  try {
    // An assistant's oversized stream gets its 413 at once, nothing past the limit read (as the
    // MCP endpoint always answered), rather than a reset connection.
    raw = await readBody(req, {
      limit: API_MAX_BODY_BYTES,
      ...(matched.function === 'mcp' && { discardLimit: API_MAX_BODY_BYTES }),
    });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError) || matched.function !== 'mcp') throw error;
    send(
      res,
      413,
      { 'content-type': 'application/json', connection: 'close' },
      JSON.stringify({ message: GATEWAY_MESSAGES[413] }),
    );
    return;
  }
  const body = raw.byteLength === 0 ? undefined : raw.toString('utf8');
  const requestId = randomUUID();
  const event = gatewayEvent(req, url, { method, matched, claims, body, requestId });
  const handler =
    matched.function === 'mcp' && options.mcp !== undefined
      ? options.mcp
      : matched.function === 'ops-api'
        ? options.opsHandler
        : options.handler;
  const result = await handler(event, { awsRequestId: requestId, functionName: matched.function });
  sendResult(res, result, requestId);
}

/**
 * The MCP function's routes, as the CDK stack adds them: `/mcp` (POST, GET, DELETE) behind the
 * authorizer, the protected-resource metadata public.
 */
function matchMcpRoute(method: string, pathname: string): MatchedRoute | undefined {
  if (pathname === MCP_PATH && ['POST', 'GET', 'DELETE'].includes(method)) {
    return { routeKey: `${method} ${MCP_PATH}`, params: {}, auth: true, function: 'mcp' };
  }
  if (method === 'GET' && (PROTECTED_RESOURCE_PATHS as readonly string[]).includes(pathname)) {
    return { routeKey: `GET ${pathname}`, params: {}, auth: false, function: 'mcp' };
  }
  return undefined;
}

/** A deployed route that matched a request: its key, its path parameters, whether it needs a token. */
interface MatchedRoute {
  readonly routeKey: string;
  readonly params: Record<string, string>;
  readonly auth: boolean;
  /** The function whose integration answers it, as in the CDK stack. */
  readonly function: ApiFunction | 'mcp';
}

/** The first deployed route with this method and a path that matches, as API Gateway picks it. */
function matchGatewayRoute(method: string, pathname: string): MatchedRoute | undefined {
  for (const route of ROUTES) {
    const params = route.method === method ? matchRoute(route.path, pathname) : undefined;
    if (params !== undefined) {
      return { routeKey: routeKeyOf(route), params, auth: route.auth, function: route.function };
    }
  }
  return undefined;
}

/** The payload 2.0 event API Gateway hands the handler for this request. */
function gatewayEvent(
  req: IncomingMessage,
  url: URL,
  request: {
    method: string;
    matched: MatchedRoute;
    claims: Record<string, unknown>;
    body: string | undefined;
    requestId: string;
  },
): APIGatewayProxyEventV2 {
  const { method, matched, claims, body, requestId } = request;
  const now = Date.now();
  const headers = headersOf(req);
  const query = queryOf(url);
  return {
    version: '2.0',
    routeKey: matched.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(matched.params).length > 0 && { pathParameters: matched.params }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: matched.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      ...(matched.auth && {
        authorizer: { jwt: { claims: claims as Record<string, string>, scopes: [] } },
      }),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}

/**
 * The request's headers, a multi-valued one joined with commas, in a null-prototype map: a header
 * named `__proto__` is an own key like any other (as in the JSON Lambda receives), so the
 * handler sees it and refuses it.
 */
function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/** The query string's parameters, a repeated one joined with commas; null-prototype, as above. */
function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  return query;
}

/** The handler's result as API Gateway returns it, with the request id the handler saw. */
function sendResult(
  res: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  requestId: string,
) {
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    responseHeaders[name] = String(value);
  send(res, result.statusCode ?? 200, responseHeaders, result.body ?? '', requestId);
}
