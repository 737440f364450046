import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpLambdaHandler } from '../../functions/mcp/lambda.js';

/**
 * An impact API that takes the request and never answers (a stuck handler, a cold start past
 * its limit). The MCP function must answer its caller a tool error within its own time, not
 * wait until Lambda kills it (29 s, before the impact API's own 30 s), which leaves the
 * assistant a bare gateway 500 and no JSON-RPC answer.
 */
let stuck: Server;
let apiUrl: string;
let requests = 0;

beforeAll(async () => {
  stuck = createServer(() => {
    requests += 1;
  });
  await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(stuck.address() as AddressInfo).port}`;
});
afterAll(() => {
  stuck.closeAllConnections();
  stuck.close();
});

const call = (name: string, args: Record<string, unknown>, claims: Record<string, string>) =>
  ({
    version: '2.0',
    routeKey: 'POST /mcp',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer t',
    },
    requestContext: {
      domainName: 'api.example.com',
      http: { method: 'POST', path: '/mcp' },
      authorizer: { jwt: { claims, scopes: [] } },
    } as unknown as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
    isBase64Encoded: false,
  }) as APIGatewayProxyEventV2;

describe('Function: createMcpLambdaHandler, over an impact API that never answers', () => {
  const handler = createMcpLambdaHandler({
    apiUrl: () => apiUrl,
    dashboardUrl: () => 'https://d111111abcdef8.cloudfront.net/',
    resourceUrl: () => 'https://d111111abcdef8.cloudfront.net/mcp',
    authorizationServer: () => 'https://issuer.example.com',
    apiTimeoutMs: 300,
  });

  it.each([
    ['a reading tool', 'get_impact', { from: '2026-11-01', to: '2026-11-30' }, 'leadership'],
    ['an ops tool', 'get_pipeline_status', {}, 'operator'],
  ])('answers %s with a tool error once its time is up', async (_, name, args, role) => {
    // Arrange
    const before = requests;
    const started = performance.now();

    // Act
    const result = await handler(call(name, args, { sub: 'u', 'custom:role': role }));

    // Assess
    const elapsed = performance.now() - started;
    expect(requests).toBe(before + 1);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
    expect(result.statusCode).toBe(200);
    const answer = JSON.parse(result.body ?? '');
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0].text).toMatch(/did not answer within 0\.3 s/);
  });
});
