import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Counters } from '../../functions/domain/counters.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { apiEvent, LEADERSHIP, REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';

/** A reader over fixed counters that records what it was asked. */
function fakeReader(): ImpactReader & { calls: string[] } {
  const calls: string[] = [];
  const day: Counters = {
    detections: 2,
    detections_walkout: 2,
    lossDetectedCents: 5_000,
    lossPreventedCents: 1_000,
    outcomes: 4,
    outcomes_false_positive: 1,
  };
  const record = <T>(call: string, value: T) => {
    calls.push(call);
    return value;
  };
  return {
    calls,
    orgDays: async (from, to) => record(`org ${from}..${to}`, day),
    regionDays: async (region) => record(`region ${region}`, day),
    storeDays: async (storeId) => record(`store ${storeId}`, new Map([['2026-06-15', day]])),
    orgWeeks: async (from, to) =>
      record(`weeks ${from}..${to}`, { incidents: 2, incidents_automated: 1, minutesSaved: 90 }),
    store: async (storeId) =>
      storeId === 'store-9999'
        ? undefined
        : { storeId, region: storeId === 'store-0002' ? 'uk' : 'us-east', timeZone: 'UTC' },
  };
}

const context = {} as Context;

async function call(reader: ImpactReader, event: ReturnType<typeof apiEvent>) {
  const handler = createImpactApiHandler(reader, 'USD', silentLogger);
  const response = await handler(event, context);
  return { ...response, json: JSON.parse(response.body ?? '{}') };
}

const PERIOD = { from: '2026-06-01', to: '2026-06-30' };

describe('Handler: impact API', () => {
  it('answers leadership with organisation totals, derived rates and hours saved', async () => {
    const reader = fakeReader();
    const res = await call(
      reader,
      apiEvent('GET /v1/impact', { query: PERIOD, claims: LEADERSHIP }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      currency: 'USD',
      shrink: {
        detections: 2,
        lossDetectedCents: 5_000,
        lossPreventedCents: 1_000,
        falsePositiveRate: 0.25,
      },
      hoursSaved: {
        incidents: 2,
        minutesSaved: 90,
        hoursSaved: 1.5,
        automatedShare: 0.5,
        weeks: { from: '2026-W23', to: '2026-W27' },
      },
    });
    expect(reader.calls).toEqual(['org 2026-06-01..2026-06-30', 'weeks 2026-W23..2026-W27']);
  });

  it('answers a store manager from its own stores only', async () => {
    const reader = fakeReader();
    const res = await call(
      reader,
      apiEvent('GET /v1/impact', { query: PERIOD, claims: STORE_MANAGER }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json.hoursSaved).toBeNull();
    expect(reader.calls).toEqual(['store store-0001']);
  });

  it('refuses a store manager another store with 403, before reading it', async () => {
    const reader = fakeReader();
    const res = await call(
      reader,
      apiEvent('GET /v1/stores/{storeId}/shrink', {
        path: '/v1/stores/store-0002/shrink',
        pathParameters: { storeId: 'store-0002' },
        query: PERIOD,
        claims: STORE_MANAGER,
      }),
    );
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(reader.calls).toEqual([]);
  });

  it('refuses a region manager a store outside its region', async () => {
    const res = await call(
      fakeReader(),
      apiEvent('GET /v1/stores/{storeId}/shrink', {
        pathParameters: { storeId: 'store-0002' },
        query: PERIOD,
        claims: REGION_MANAGER,
      }),
    );
    expect(res.statusCode).toBe(403);
  });

  it('returns a daily series with a zero entry for every day without activity', async () => {
    const res = await call(
      fakeReader(),
      apiEvent('GET /v1/stores/{storeId}/shrink', {
        pathParameters: { storeId: 'store-0001' },
        query: { from: '2026-06-14', to: '2026-06-16' },
        claims: LEADERSHIP,
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(
      res.json.days.map((d: { date: string; detections: number }) => [d.date, d.detections]),
    ).toEqual([
      ['2026-06-14', 0],
      ['2026-06-15', 2],
      ['2026-06-16', 0],
    ]);
    expect(res.json.total.lossDetectedCents).toBe(5_000);
  });

  it('answers 404 for an unknown store in scope', async () => {
    const res = await call(
      fakeReader(),
      apiEvent('GET /v1/stores/{storeId}/shrink', {
        pathParameters: { storeId: 'store-9999' },
        query: PERIOD,
        claims: LEADERSHIP,
      }),
    );
    expect(res.statusCode).toBe(404);
  });

  it.each([
    [{ from: '2026-06-31', to: '2026-07-01' }, 'from'],
    [{ from: '2026-07-01', to: '2026-06-01' }, 'to'],
    [{ from: '2025-01-01', to: '2026-06-01' }, 'to'],
    [{ from: '2026-06-01' }, 'to'],
    [{ ...PERIOD, storeId: 'store-0002' }, 'storeId'],
  ])('answers 400 problem+json naming the bad parameter for %j', async (query, name) => {
    const res = await call(fakeReader(), apiEvent('GET /v1/impact', { query, claims: LEADERSHIP }));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({
      status: 400,
      title: 'Invalid request parameters',
      instance: '/v1/impact',
      requestId: 'req-123',
    });
    expect(res.json.errors.map((e: { name: string }) => e.name)).toContain(name);
  });

  it('answers 401 when no verified claims arrive, and for a role it does not know', async () => {
    expect(
      (await call(fakeReader(), apiEvent('GET /v1/impact', { query: PERIOD }))).statusCode,
    ).toBe(401);
    expect(
      (
        await call(
          fakeReader(),
          apiEvent('GET /v1/impact', {
            query: PERIOD,
            claims: { sub: 'x', 'custom:role': 'admin' },
          }),
        )
      ).statusCode,
    ).toBe(401);
  });

  it('hides internal error text behind a 500 that carries the request id', async () => {
    const reader = {
      ...fakeReader(),
      orgDays: async () => Promise.reject(new Error('secret table name in message')),
    };
    const res = await call(
      reader,
      apiEvent('GET /v1/impact', { query: PERIOD, claims: LEADERSHIP }),
    );
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.json.requestId).toBe('req-123');
  });
});
