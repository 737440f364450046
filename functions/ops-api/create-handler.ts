import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { PipelineStatusReport } from '#adapters';
import { DeadLetterIdQuery, DeadLetterListQuery, NoQuery, ReplayRequest } from '#api-schemas';
import type { Logger } from '#domain/ports';
import { problemResponses } from '#shared/middleware/problem-responses';
import { createLogger, loggerPort } from '#shared/observability';
import { parseParams } from '#shared/parse-params';
import { isOperator, principalFrom, verifiedClaims } from '#shared/principal';
import { forbidden, invalidParameters, notFound, unauthorized } from '#shared/problem';
import { explainDeadLetter, listDeadLettersFor } from './dead-letter-queries.js';
import type { DeadLetterReader } from './dead-letter-reader.js';
import { type DeadLetterReplayer, replayFor } from './dead-letter-replay.js';

/** What the ops routes read and do, each behind a port (the AWS ones in handler.ts). */
export interface OpsPorts {
  /** The dead-letter table, read by key. */
  readonly reader: DeadLetterReader;
  /** The replay of letters through the live processor's judgement, from the stream. */
  readonly replayer: DeadLetterReplayer;
  /** The pipeline's status, as `npm run pipeline-status` reads it. */
  readonly status: () => Promise<PipelineStatusReport>;
}

interface RouteContext extends OpsPorts {
  readonly event: APIGatewayProxyEventV2;
  readonly today: string;
}

const query = (event: APIGatewayProxyEventV2) => event.queryStringParameters;

/** A POST's JSON body (none: `{}`); anything that is not JSON is a 400 problem. */
function jsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64').toString('utf8')
    : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameters([{ name: '(body)', reason: 'not a JSON document' }]);
  }
}

/**
 * One function per ops route of the HTTP API's route list (`ROUTES`, `function: 'ops-api'`);
 * a unit test holds the two to the same keys.
 */
const handlers: Readonly<Record<string, (ctx: RouteContext) => Promise<unknown>>> = {
  'GET /v1/ops/dead-letters': async ({ event, reader, today }) =>
    listDeadLettersFor(parseParams(DeadLetterListQuery, query(event)), reader, today),
  'GET /v1/ops/dead-letter': async ({ event, reader }) =>
    explainDeadLetter(parseParams(DeadLetterIdQuery, query(event)), reader),
  'POST /v1/ops/dead-letters/replay': async ({ event, reader, replayer, today }) => {
    parseParams(NoQuery, query(event));
    return replayFor(parseParams(ReplayRequest, jsonBody(event)), { reader, replayer }, today);
  },
  'GET /v1/ops/pipeline-status': async ({ event, status }) => {
    parseParams(NoQuery, query(event));
    return status();
  },
};

/** The route keys this function answers. */
export const OPS_ROUTE_KEYS: readonly string[] = Object.keys(handlers);

export interface OpsApiOptions {
  /** @default a Powertools logger, service `ops-api` */
  readonly logger?: Logger;
  /** Today's date (UTC), the default end of a list. @default the clock's */
  readonly today?: () => string;
}

/**
 * The ops API: the pipeline's own state for operators (`custom:role` = `operator`), and the
 * replay of dead letters (a dry run, then a confirmed replay). Every other role is refused
 * (403) before any parameter or body is read; a token that grants no principal is 401. Its own
 * function, so the impact API keeps its read-only grants on the aggregates and the stream's
 * reads and the replay's writes are this function's alone.
 */
export function createOpsApiHandler(ports: OpsPorts, options: OpsApiOptions = {}) {
  const logger = options.logger ?? loggerPort(createLogger('ops-api'));
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemResponses(logger))
    .handler(async (event) => {
      const started = performance.now();
      if (!Object.hasOwn(handlers, event.routeKey)) throw notFound(`no route ${event.routeKey}`);
      const route = handlers[event.routeKey] as (ctx: RouteContext) => Promise<unknown>;
      // Defence in depth: API Gateway already refused requests without a valid token.
      const principal = principalFrom(verifiedClaims(event));
      if (principal === undefined) throw unauthorized();
      if (!isOperator(principal)) {
        throw forbidden('the ops routes answer operator tokens only');
      }
      // A replay that wrote is logged with who asked for it and what it counted.
      const replayer: DeadLetterReplayer = {
        async replay(letters, dryRun) {
          const report = await ports.replayer.replay(letters, dryRun);
          if (!dryRun) {
            logger.info('dead letters replayed', {
              requestId: event.requestContext.requestId,
              operator: principal.subject,
              letters: report.letters,
              counted: report.counted,
              duplicates: report.duplicates,
              deadLettered: report.deadLettered,
            });
          }
          return report;
        },
      };
      const answer = await route({ ...ports, replayer, event, today: today() });
      const body = JSON.stringify(answer);
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
        body,
      };
    });
}
