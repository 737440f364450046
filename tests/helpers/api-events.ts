import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An API Gateway HTTP API (payload 2.0) event as the JWT authorizer passes it on. */
export function apiEvent(
  routeKey: string,
  options: {
    path?: string;
    query?: Record<string, string>;
    pathParameters?: Record<string, string>;
    claims?: Record<string, string>;
    /** A POST's body, as API Gateway hands it over (text, not base64). */
    body?: string;
  },
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path ?? routeKey.split(' ')[1] ?? '/',
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {},
    ...(options.query !== undefined && { queryStringParameters: options.query }),
    ...(options.pathParameters !== undefined && { pathParameters: options.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: {
        method: /^[A-Z]+ /.test(routeKey) ? (routeKey.split(' ')[0] as string) : 'GET',
        path: options.path ?? '/',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: 'req-123',
      routeKey,
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

export const LEADERSHIP = { sub: 'u1', 'custom:role': 'leadership' };
export const STORE_MANAGER = {
  sub: 'u2',
  'custom:role': 'store_manager',
  'custom:stores': 'store-0001',
};
export const REGION_MANAGER = {
  sub: 'u3',
  'custom:role': 'region_manager',
  'custom:regions': 'us-east',
};
