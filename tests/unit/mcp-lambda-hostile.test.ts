import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMcpLambdaHandler } from '../../functions/mcp/lambda.js';

/**
 * Header values API Gateway passes on as they came (UTF-8 text, control characters) but a
 * web-standard Request refuses: the function must answer them 400, not throw (an invocation
 * error is a bare 500 to the caller and an error on the function's alarm).
 */
const handler = createMcpLambdaHandler({
  apiUrl: () => 'http://127.0.0.1:9',
  dashboardUrl: () => 'https://d111111abcdef8.cloudfront.net/',
  resourceUrl: () => 'https://d111111abcdef8.cloudfront.net/mcp',
  authorizationServer: () => 'https://issuer.example.com',
});

const post = (extra: Record<string, string>) =>
  ({
    version: '2.0',
    routeKey: 'POST /mcp',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer t',
      ...extra,
    },
    requestContext: {
      domainName: 'api.example.com',
      http: { method: 'POST', path: '/mcp' },
      authorizer: { jwt: { claims: { sub: 'lead', 'custom:role': 'leadership' }, scopes: [] } },
    } as unknown as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    isBase64Encoded: false,
  }) as APIGatewayProxyEventV2;

describe('Function: createMcpLambdaHandler, given headers a Request refuses', () => {
  it.each([
    ['a value past Latin-1', { 'user-agent': 'assistant 日本' }, 'user-agent'],
    ['a value with a line break', { 'x-note': 'a\r\nb' }, 'x-note'],
    ['a name with a space', { 'bad name': 'v' }, 'bad name'],
  ])('answers %s with 400 naming the header', async (_, extra, name) => {
    // Act
    const result = await handler(post(extra));

    // Assess
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body ?? '');
    expect(body.error.code).toBe(-32600);
    expect(body.error.message).toContain(`header ${name}`);
  });

  it('still answers the same request without it', async () => {
    const result = await handler(post({}));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '').result.tools.length).toBeGreaterThan(0);
  });
});
