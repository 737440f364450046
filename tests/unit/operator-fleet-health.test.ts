import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { apiEvent } from '../helpers/api-events.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';

/**
 * Hostile review of issue 22 (helper h-attack). The issue gives operators fleet health beside
 * pipeline status ("Pipeline status. Iterator age per shard, recent errors, dead letters per
 * hour, and fleet health ... get_fleet_health ... for an operator role"). Today an operator
 * token is refused GET /v1/fleet/health (403: "an operator token reads the ops routes and no
 * figures"), the ops API has no fleet health route, and MCP has no get_fleet_health tool.
 */
describe('Hostile: operators and fleet health', () => {
  it('an operator token reads fleet health of a region', async () => {
    const reader = {
      fleetHealth: async () => ({ stores: [], truncated: false }),
      storesHealth: async () => [],
      store: async () => undefined,
    } as unknown as ImpactReader;
    const handler = createImpactApiHandler(reader, 'USD', silentLogger);
    const res = await handler(
      apiEvent('GET /v1/fleet/health', {
        path: '/v1/fleet/health',
        query: { region: 'us-east' },
        claims: { sub: 'oncall-1', 'custom:role': 'operator' },
      }),
      {} as Context,
    );
    expect(res.statusCode).toBe(200);
  });
});
