import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { principalFrom } from '../../functions/impact-api/principal.js';
import { matchRoute, ROUTES, routeKeyOf } from '../../functions/impact-api/routes.js';
import { API_THROTTLE, TokenBucket } from '../../functions/impact-api/throttling.js';
import type { McpGatewayRequest } from '../../functions/mcp/http.js';
import type { DevIssuer } from './dev-issuer.js';

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiServerOptions {
  readonly handler: ApiHandler;
  readonly issuer: DevIssuer;
  readonly port: number;
  readonly host?: string;
  /** Requests per second and burst, as on the deployed stage. @default API_THROTTLE */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The dashboard, as CloudFront serves it in AWS: the built files at `/`, and `/config.json`
   * telling the page how to sign in. API routes win over files.
   */
  readonly site?: { readonly dir: string; readonly config: unknown };
  /**
   * The MCP server's Streamable HTTP endpoint at `/mcp`, for callers whose token is valid and
   * whose claims grant a principal (the API's own check); it gets this server's body limit.
   */
  readonly mcp?: (
    req: IncomingMessage,
    res: ServerResponse,
    caller: McpGatewayRequest,
  ) => Promise<void>;
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
    return { type: CONTENT_TYPES[extname(file)] as string, body: await readFile(file) };
  } catch {
    return undefined;
  }
}

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  // API Gateway puts its own request id on every response, its own refusals included.
  res.writeHead(status, {
    'content-length': Buffer.byteLength(body),
    'apigw-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}

/** API Gateway's answer to a missing or invalid token. */
const unauthorized = (res: ServerResponse) =>
  send(
    res,
    401,
    { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
    '{"message":"Unauthorized"}',
  );

/**
 * A stand-in for API Gateway (HTTP API, payload 2.0, JWT authorizer) in front of the impact
 * API handler: it matches the same route list the CDK stack deploys, answers like API
 * Gateway for unknown routes (404) and missing or invalid tokens (401), and hands the
 * verified claims to the handler in `requestContext.authorizer.jwt.claims`.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const limits = options.throttle ?? API_THROTTLE;
  const bucket = new TokenBucket(limits.rateLimit, limits.burstLimit);
  const server: Server = createServer(async (req, res) => {
    // Static files come from CloudFront in AWS, not through the API stage and its throttle.
    if (options.site !== undefined) {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
    if (!bucket.take()) {
      send(
        res,
        429,
        { 'content-type': 'application/json', 'retry-after': '1' },
        '{"message":"Too Many Requests"}',
      );
      return;
    }
    handle(req, res, options).catch((error) => {
      console.error(
        JSON.stringify({
          level: 'ERROR',
          service: 'local-api',
          message: 'request failed',
          error: String(error),
        }),
      );
      if (!res.headersSent)
        send(
          res,
          500,
          { 'content-type': 'application/json' },
          '{"message":"Internal Server Error"}',
        );
    });
  });
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

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (url.pathname === '/mcp' && options.mcp !== undefined) {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Claims that grant no principal (an unknown role, a missing scope) are refused as the
    // API refuses them: no tool of any kind for a token the API would answer 401.
    const principal =
      token === undefined ? undefined : principalFrom(await options.issuer.verify(token));
    if (token === undefined || principal === undefined) {
      unauthorized(res);
      return;
    }
    await options.mcp(req, res, { token, principal, maxBodyBytes: MAX_BODY_BYTES });
    return;
  }
  let matched: { routeKey: string; params: Record<string, string>; auth: boolean } | undefined;
  for (const route of ROUTES) {
    const params = route.method === method ? matchRoute(route.path, url.pathname) : undefined;
    if (params !== undefined) {
      matched = { routeKey: routeKeyOf(route), params, auth: route.auth };
      break;
    }
  }
  if (matched === undefined) {
    send(res, 404, { 'content-type': 'application/json' }, '{"message":"Not Found"}');
    return;
  }
  const authorization = req.headers.authorization ?? '';
  const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
  const claims = !matched.auth
    ? {}
    : token === undefined
      ? undefined
      : await options.issuer.verify(token);
  if (claims === undefined) {
    unauthorized(res);
    return;
  }
  const body = await readBody(req);
  const now = Date.now();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
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
  const result = await options.handler(event, {
    awsRequestId: requestId,
    functionName: 'impact-api',
  });
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    responseHeaders[name] = String(value);
  send(res, result.statusCode ?? 200, responseHeaders, result.body ?? '');
}
