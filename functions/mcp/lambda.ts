import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { principalFrom } from '#shared/principal';
import {
  jsonRpcErrorBody,
  type McpServerSource,
  mcpServerFactory,
  ProtoKeyError,
  refuseProtoKeys,
} from './caller-server.js';
import {
  bearerChallenge,
  MCP_PATH,
  PROTECTED_RESOURCE_PATHS,
  protectedResourceMetadata,
} from './protected-resource.js';

/** Largest request body the MCP endpoint reads: the API's limit (API Gateway's own is 10 MB). */
export const MCP_MAX_BODY_BYTES = 64 * 1024;

export interface McpLambdaOptions extends McpServerSource {
  /** The MCP endpoint's public URL, the `resource` of its metadata. */
  readonly resourceUrl: () => string;
  /** The issuer of the tokens the authorizer accepts (the user pool's, or the dev issuer). */
  readonly authorizationServer: () => string;
  /** @default MCP_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

type Result = APIGatewayProxyStructuredResultV2;
/** `/mcp` comes through the JWT authorizer; the metadata routes are public (no authorizer). */
type McpEvent = APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2;

const json = (statusCode: number, body: string, headers: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

/**
 * The MCP server as a Lambda behind the HTTP API (payload 2.0), stateless: every POST carries
 * one JSON-RPC message and is answered in JSON by a server built for it, bound to the caller the
 * JWT authorizer verified; no session id, no stream (GET and DELETE answer 405). The same
 * handler answers the public protected-resource metadata (RFC 9728). The event becomes a
 * web-standard Request for the SDK's own web-standard transport, and its Response the result.
 */
export function createMcpLambdaHandler(options: McpLambdaOptions) {
  const serverFor = mcpServerFactory(options);
  const limit = options.maxBodyBytes ?? MCP_MAX_BODY_BYTES;

  return async (event: McpEvent): Promise<Result> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    if ((PROTECTED_RESOURCE_PATHS as readonly string[]).includes(path)) {
      if (method !== 'GET') return json(405, '{"message":"Method Not Allowed"}', { allow: 'GET' });
      const metadata = protectedResourceMetadata(
        options.resourceUrl(),
        options.authorizationServer(),
      );
      return json(200, JSON.stringify(metadata), { 'cache-control': 'max-age=300' });
    }
    if (path !== MCP_PATH) return json(404, '{"message":"Not Found"}');
    const token = /^Bearer (.+)$/i.exec(event.headers.authorization ?? '')?.[1];
    const claims =
      'authorizer' in event.requestContext
        ? event.requestContext.authorizer.jwt?.claims
        : undefined;
    const principal = claims === undefined ? undefined : principalFrom(claims);
    // The authorizer let the token through, but its claims grant no principal (an unknown role,
    // a missing scope): refused as the API refuses them, with where to learn how to get one.
    if (token === undefined || principal === undefined) {
      return json(401, '{"message":"Unauthorized"}', {
        'www-authenticate': bearerChallenge(options.resourceUrl()),
      });
    }
    if (method !== 'POST') {
      return json(405, jsonRpcErrorBody(-32000, 'Method not allowed'), { allow: 'POST' });
    }
    const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.byteLength > limit) {
      return json(
        413,
        jsonRpcErrorBody(-32000, `Payload Too Large: request body must not exceed ${limit} bytes`),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'), refuseProtoKeys);
    } catch (error) {
      if (error instanceof ProtoKeyError) return json(400, jsonRpcErrorBody(-32600, error.message));
      return json(400, jsonRpcErrorBody(-32700, 'Parse error'));
    }
    if (Array.isArray(body)) {
      return json(
        400,
        jsonRpcErrorBody(
          -32600,
          'Invalid Request: JSON-RPC batches are not accepted (MCP 2025-06-18 dropped them); send one message per request',
        ),
      );
    }
    let request: Request;
    try {
      request = requestOf(event);
    } catch (error) {
      if (error instanceof HeaderError) return json(400, jsonRpcErrorBody(-32600, error.message));
      throw error;
    }
    const server = serverFor(principal, token);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody: body });
      return await resultOf(response);
    } finally {
      await transport.close();
      await server.close();
    }
  };
}

/** A header API Gateway passed on (UTF-8 text, a line break) that a web-standard Request refuses. */
class HeaderError extends Error {
  constructor(name: string) {
    super(`Invalid Request: header ${name} is not a valid HTTP header (Latin-1, no line breaks)`);
    this.name = 'HeaderError';
  }
}

/**
 * The event as the web-standard Request the transport reads (its body is passed parsed). A
 * header it refuses is a HeaderError, answered 400, not an invocation error (a bare 500).
 */
function requestOf(event: McpEvent): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers)) {
    if (value === undefined) continue;
    try {
      headers.set(name, value);
    } catch {
      throw new HeaderError(name);
    }
  }
  const host = event.requestContext.domainName;
  return new Request(`https://${host}${event.rawPath}`, {
    method: event.requestContext.http.method,
    headers,
  });
}

async function resultOf(response: Response): Promise<Result> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: response.status, headers, body: await response.text() };
}
