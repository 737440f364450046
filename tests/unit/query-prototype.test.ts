import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { apiEvent, LEADERSHIP } from '../helpers/api-events.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';

const unreachable = new Proxy({} as ImpactReader, {
  get: () => async () => {
    throw new Error('the reader was called');
  },
});

describe('Handler: impact API, a query parameter named __proto__', () => {
  it('refuses it (400) when the event came, as in Lambda, from JSON', async () => {
    // Prepare: JSON.parse makes `__proto__` an own key, as Lambda's runtime does.
    const built = apiEvent('GET /v1/impact', {
      query: { from: '2026-01-01', to: '2026-01-02' },
      claims: LEADERSHIP,
    });
    const json = JSON.stringify(built).replace(
      '"queryStringParameters":{',
      '"queryStringParameters":{"__proto__":"x",',
    );
    const event = JSON.parse(json) as APIGatewayProxyEventV2;
    const handler = createImpactApiHandler(unreachable, 'USD', silentLogger);

    // Act
    const result = await handler(event, {} as Context);

    // Assess
    expect(Object.keys(event.queryStringParameters ?? {})).toContain('__proto__');
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}').errors).toEqual([
      { name: '__proto__', reason: 'unknown parameter' },
    ]);
  });
});
