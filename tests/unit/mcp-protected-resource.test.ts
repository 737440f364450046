import { OAuthProtectedResourceMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMcpLambdaHandler, MCP_MAX_BODY_BYTES } from '../../functions/mcp/lambda.js';
import {
  bearerChallenge,
  PROTECTED_RESOURCE_PATHS,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from '../../functions/mcp/protected-resource.js';

const RESOURCE = 'https://d111111abcdef8.cloudfront.net/mcp';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123';

describe('Function: protectedResourceMetadata', () => {
  it('answers the RFC 9728 document the SDK accepts, naming the resource and its issuer', () => {
    // Act
    const metadata = protectedResourceMetadata(RESOURCE, ISSUER);
    // Assess
    expect(OAuthProtectedResourceMetadataSchema.parse(metadata)).toEqual(metadata);
    expect(metadata).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
    });
    expect(metadata.scopes_supported).toBeUndefined();
  });

  it('places the metadata at the well-known prefix followed by the resource path', () => {
    expect(protectedResourceMetadataUrl(RESOURCE)).toBe(
      'https://d111111abcdef8.cloudfront.net/.well-known/oauth-protected-resource/mcp',
    );
    expect(protectedResourceMetadataUrl('https://api.example.com/')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    );
    expect(bearerChallenge(RESOURCE)).toBe(
      'Bearer resource_metadata="https://d111111abcdef8.cloudfront.net/.well-known/oauth-protected-resource/mcp"',
    );
  });
});

/** A payload 2.0 event as the HTTP API hands it over; `claims` as its JWT authorizer does. */
function event(
  method: string,
  path: string,
  options: { body?: string; claims?: Record<string, string>; token?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(options.claims !== undefined && {
        authorizer: { jwt: { claims: options.claims, scopes: [] } },
      }),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: false,
  };
}

// No call reaches the API in these tests: an unroutable address would fail them loudly.
const handler = createMcpLambdaHandler({
  apiUrl: () => 'http://127.0.0.1:9',
  dashboardUrl: () => 'https://d111111abcdef8.cloudfront.net/',
  resourceUrl: () => RESOURCE,
  authorizationServer: () => ISSUER,
});
const LEADER = { sub: 'lead', 'custom:role': 'leadership' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe('Function: createMcpLambdaHandler', () => {
  it('answers the metadata on both well-known paths without a token', async () => {
    for (const path of PROTECTED_RESOURCE_PATHS) {
      const result = await handler(event('GET', path));
      expect(result.statusCode, path).toBe(200);
      expect(JSON.parse(result.body ?? '')).toEqual(protectedResourceMetadata(RESOURCE, ISSUER));
    }
  });

  it('refuses claims that grant no principal with 401 and a challenge naming the metadata', async () => {
    const result = await handler(
      event('POST', '/mcp', {
        body: LIST,
        token: 't',
        claims: { sub: 'x', 'custom:role': 'root' },
      }),
    );
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe(bearerChallenge(RESOURCE));
  });

  it('answers GET with 405, as a stateless server without a stream', async () => {
    const result = await handler(event('GET', '/mcp', { token: 't', claims: LEADER }));
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST');
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(MCP_MAX_BODY_BYTES) });
    const result = await handler(event('POST', '/mcp', { body, token: 't', claims: LEADER }));
    expect(result.statusCode).toBe(413);
    expect(JSON.parse(result.body ?? '').error.message).toContain(`${MCP_MAX_BODY_BYTES} bytes`);
  });

  it('refuses a JSON-RPC batch with 400', async () => {
    const result = await handler(
      event('POST', '/mcp', { body: `[${LIST}]`, token: 't', claims: LEADER }),
    );
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').error.code).toBe(-32600);
  });

  it('lists the reading tools to a leader in one JSON answer, with no session id', async () => {
    const result = await handler(event('POST', '/mcp', { body: LIST, token: 't', claims: LEADER }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['mcp-session-id']).toBeUndefined();
    const names = JSON.parse(result.body ?? '').result.tools.map((t: { name: string }) => t.name);
    expect(names).toContain('get_impact');
    expect(names).not.toContain('report_incident');
  });

  it('offers an automation no report_incident in AWS, where it has no reporter', async () => {
    const automation = { sub: 'bot', 'custom:role': 'automation', 'custom:device': 'agent-1' };
    const result = await handler(
      event('POST', '/mcp', { body: LIST, token: 't', claims: automation }),
    );
    // A server without tools has no tools capability: the SDK answers "method not found".
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ error: { code: -32601 } });
  });
});
