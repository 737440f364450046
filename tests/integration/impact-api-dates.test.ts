import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import { DynamoDbImpactReader } from '../../functions/impact-api/impact-reader.js';
import { TABLES } from '../../functions/shared/resources.js';
import { apiEvent, LEADERSHIP, REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { anyPeriodDate as anyDate } from '../helpers/date-arbitraries.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
beforeAll(async () => {
  env = await freshEmulators(1);
});
afterAll(async () => {
  await env?.close();
});

const ROUTES = [
  ['GET /v1/impact', {}],
  ['GET /v1/stores', {}],
  ['GET /v1/teams', {}],
  ['GET /v1/teams/{teamId}/hours-saved', { teamId: 'team-pos' }],
] as const;

describe('Integration: impact API periods against the DynamoDB emulator', () => {
  it('answers any from/to with 200, 400 or 403, never a 5xx from a DynamoDB key', async () => {
    const handler = createImpactApiHandler(
      new DynamoDbImpactReader(
        env.dynamodb,
        TABLES.aggregates.localName,
        TABLES.registry.localName,
      ),
      'USD',
      silentLogger,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.constantFrom(LEADERSHIP, REGION_MANAGER, STORE_MANAGER),
        anyDate,
        anyDate,
        async ([routeKey, pathParameters], claims, from, to) => {
          const res = await handler(
            apiEvent(routeKey, { query: { from, to }, pathParameters, claims }),
            {} as Context,
          );
          expect([200, 400, 403], `${routeKey} ${from}..${to}: ${res.body}`).toContain(
            res.statusCode,
          );
        },
      ),
      // Most cases are refused before any read; the few read cases go to the emulator.
      { numRuns: 200, examples: [[ROUTES[2], LEADERSHIP, '0999-12-20', '0999-12-31']] },
    );
  });
});
