import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '#domain/ports';
import { problemResponses } from '#shared/middleware/problem-responses';
import { createLogger, loggerPort } from '#shared/observability';
import { parseParams } from '#shared/parse-params';
import {
  AUTOMATION_ROLE,
  isOperator,
  isReader,
  type PersonPrincipal,
  principalFrom,
  verifiedClaims,
} from '#shared/principal';
import { forbidden, notFound, unauthorized } from '#shared/problem';
import type { Valuation } from './config.js';
import { fleetHealthFor } from './fleet-health-query.js';
import { hourOfDayFor } from './hour-of-day-query.js';
import { impactFor } from './impact-query.js';
import type { ImpactReader } from './impact-reader.js';
import { leaderboardFor } from './leaderboard-query.js';
import { modelQualityFor, storeLanesFor } from './model-quality-query.js';
import { netImpactFor } from './net-impact-query.js';
import { docsPage, openApiDocument } from './openapi.js';
import {
  FleetHealthQuery,
  HourOfDayQuery,
  ImpactQuery,
  LeaderboardQuery,
  ModelQualityQuery,
  NoQuery,
  PeriodQuery,
  StoreLanesQuery,
  StorePath,
  StoreShrinkQuery,
  TeamHoursQuery,
  TeamPath,
} from './query-params.js';
import { regionsFor } from './regions-query.js';
import { ROUTES, type RouteKey, routeKeyOf } from './routes.js';
import { storeShrinkFor } from './store-shrink-query.js';
import { teamHoursFor, teamsFor } from './teams-query.js';

interface RouteContext {
  readonly event: APIGatewayProxyEventV2;
  readonly principal: PersonPrincipal;
  readonly reader: ImpactReader;
  readonly currency: string;
  readonly valuation: Valuation | undefined;
}

interface Answer {
  readonly body: string;
  readonly contentType: string;
}

const json = (value: unknown): Answer => ({
  body: JSON.stringify(value),
  contentType: 'application/json',
});

const query = (event: APIGatewayProxyEventV2) => event.queryStringParameters;

/** One function per route; each parses its parameters with the route's own schemas. */
const handlers: Record<RouteKey<'impact-api'>, (ctx: RouteContext) => Promise<Answer>> = {
  'GET /v1/impact': async ({ event, principal, reader, currency }) =>
    json(await impactFor(principal, parseParams(ImpactQuery, query(event)), reader, currency)),
  'GET /v1/stores': async ({ event, principal, reader, currency }) =>
    json(
      await leaderboardFor(
        principal,
        parseParams(LeaderboardQuery, query(event)),
        reader,
        currency,
      ),
    ),
  'GET /v1/stores/{storeId}/shrink': async ({ event, principal, reader, currency }) => {
    const { storeId } = parseParams(StorePath, event.pathParameters);
    return json(
      await storeShrinkFor(
        principal,
        storeId,
        parseParams(StoreShrinkQuery, query(event)),
        reader,
        currency,
      ),
    );
  },
  'GET /v1/teams': async ({ event, principal, reader }) =>
    json(await teamsFor(principal, parseParams(PeriodQuery, query(event)), reader)),
  'GET /v1/teams/{teamId}/hours-saved': async ({ event, principal, reader }) => {
    const { teamId } = parseParams(TeamPath, event.pathParameters);
    return json(
      await teamHoursFor(principal, teamId, parseParams(TeamHoursQuery, query(event)), reader),
    );
  },
  'GET /v1/fleet/health': async ({ event, principal, reader }) =>
    json(
      await fleetHealthFor(
        principal,
        parseParams(FleetHealthQuery, query(event)),
        reader,
        Date.now(),
      ),
    ),
  'GET /v1/hour-of-day': async ({ event, principal, reader, currency }) =>
    json(
      await hourOfDayFor(principal, parseParams(HourOfDayQuery, query(event)), reader, currency),
    ),
  'GET /v1/model-quality': async ({ event, principal, reader, currency }) =>
    json(
      await modelQualityFor(
        principal,
        parseParams(ModelQualityQuery, query(event)),
        reader,
        currency,
      ),
    ),
  'GET /v1/stores/{storeId}/lanes': async ({ event, principal, reader, currency }) => {
    const { storeId } = parseParams(StorePath, event.pathParameters);
    return json(
      await storeLanesFor(
        principal,
        storeId,
        parseParams(StoreLanesQuery, query(event)),
        reader,
        currency,
      ),
    );
  },
  'GET /v1/regions': async ({ event, principal, reader }) => {
    parseParams(NoQuery, query(event));
    return json(await regionsFor(principal, reader));
  },
  'GET /v1/net-impact': async ({ event, principal, reader, currency, valuation }) =>
    json(
      await netImpactFor(
        principal,
        parseParams(PeriodQuery, query(event)),
        reader,
        currency,
        valuation,
      ),
    ),
  'GET /openapi.json': async ({ event }) => {
    parseParams(NoQuery, query(event));
    return json(openApiDocument());
  },
  'GET /docs': async ({ event }) => {
    parseParams(NoQuery, query(event));
    return { body: docsPage(), contentType: 'text/html; charset=utf-8' };
  },
};

const PUBLIC = new Set<string>(ROUTES.filter((r) => !r.auth).map((r) => routeKeyOf(r)));

const ANONYMOUS: PersonPrincipal = { subject: 'anonymous', role: 'store_manager', stores: [] };

/**
 * Builds the handler around a reader; the module's `handler` wires the DynamoDB one. Without a
 * valuation (no running cost configured) GET /v1/net-impact answers 503.
 */
export function createImpactApiHandler(
  reader: ImpactReader,
  currency: string,
  logger: Logger = loggerPort(createLogger('impact-api')),
  valuation?: Valuation,
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemResponses(logger))
    .handler(async (event) => {
      const started = performance.now();
      if (!Object.hasOwn(handlers, event.routeKey)) throw notFound(`no route ${event.routeKey}`);
      const route = handlers[event.routeKey as RouteKey<'impact-api'>];
      // Defence in depth: API Gateway already refused requests without a valid token. The
      // public documentation routes get a principal that may read nothing.
      const principal = PUBLIC.has(event.routeKey)
        ? ANONYMOUS
        : principalFrom(verifiedClaims(event));
      if (principal === undefined) throw unauthorized();
      // An automation's token is valid (it reports incidents through the edge) and an
      // operator's (it reads the ops routes), but neither reads figures: authenticated, not a
      // reader.
      // Fleet health is the pipeline's as much as the figures': operators read it too.
      if (isOperator(principal) && event.routeKey === FLEET_HEALTH) {
        return answered(
          event,
          started,
          'operator',
          json(
            await fleetHealthFor(
              principal,
              parseParams(FleetHealthQuery, query(event)),
              reader,
              Date.now(),
            ),
          ),
        );
      }
      if (!isReader(principal)) {
        throw forbidden(
          principal.role === AUTOMATION_ROLE
            ? 'an automation token reports incidents and reads no figures'
            : 'an operator token reads the ops routes (/v1/ops/*) and no figures',
        );
      }
      const answer = await route({ event, principal, reader, currency, valuation });
      return answered(
        event,
        started,
        PUBLIC.has(event.routeKey) ? 'public' : principal.role,
        answer,
      );
    });

  function answered(
    event: APIGatewayProxyEventV2,
    started: number,
    role: string,
    answer: Answer,
  ): APIGatewayProxyStructuredResultV2 {
    logger.info('request', {
      requestId: event.requestContext.requestId,
      route: event.routeKey,
      role,
      status: 200,
      ms: Math.round(performance.now() - started),
    });
    return {
      statusCode: 200,
      headers: {
        'content-type': answer.contentType,
        'x-request-id': event.requestContext.requestId,
      },
      body: answer.body,
    };
  }
}

const FLEET_HEALTH = 'GET /v1/fleet/health';
