import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../processor/ports.js';
import { jsonLogger } from '../shared/logger.js';
import { problemResponses } from '../shared/middleware/problem-responses.js';
import type { ImpactReader } from './impact-reader.js';
import { type Principal, principalFrom } from './principal.js';
import { notFound, unauthorized } from './problem.js';
import { impactFor, storeShrinkFor } from './queries.js';
import { PeriodQuery, parseParams, StorePath } from './query-params.js';
import type { RouteKey } from './routes.js';

interface RouteContext {
  readonly event: APIGatewayProxyEventV2;
  readonly principal: Principal;
  readonly reader: ImpactReader;
  readonly currency: string;
}

const handlers: Record<RouteKey, (ctx: RouteContext) => Promise<unknown>> = {
  'GET /v1/impact': ({ event, principal, reader, currency }) =>
    impactFor(principal, parseParams(PeriodQuery, event.queryStringParameters), reader, currency),
  'GET /v1/stores/{storeId}/shrink': ({ event, principal, reader, currency }) => {
    const { storeId } = parseParams(StorePath, event.pathParameters);
    return storeShrinkFor(
      principal,
      storeId,
      parseParams(PeriodQuery, event.queryStringParameters),
      reader,
      currency,
    );
  },
};

/** The JWT claims API Gateway's authorizer verified (absent if the route had no authorizer). */
function claimsOf(event: APIGatewayProxyEventV2): unknown {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } };
  return context.authorizer?.jwt?.claims;
}

/** Builds the handler around a reader; the module's `handler` wires the DynamoDB one. */
export function createImpactApiHandler(
  reader: ImpactReader,
  currency: string,
  logger: Logger = jsonLogger('impact-api'),
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemResponses(logger))
    .handler(async (event) => {
      const started = performance.now();
      // Defence in depth: API Gateway already refused requests without a valid token.
      const principal = principalFrom(claimsOf(event));
      if (principal === undefined) throw unauthorized();
      const route = handlers[event.routeKey as RouteKey];
      if (route === undefined) throw notFound(`no route ${event.routeKey}`);
      const body = await route({ event, principal, reader, currency });
      logger.info('request', {
        requestId: event.requestContext.requestId,
        route: event.routeKey,
        role: principal.role,
        status: 200,
        ms: Math.round(performance.now() - started),
      });
      return {
        statusCode: 200,
        headers: {
          'content-type': 'application/json',
          'x-request-id': event.requestContext.requestId,
        },
        body: JSON.stringify(body),
      };
    });
}
