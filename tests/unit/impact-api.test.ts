import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Counters } from '../../functions/domain/counters.js';
import {
  coverageSummary,
  mergeStatuses,
  type StoreHealth,
} from '../../functions/domain/fleet-health.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader, RollupRead } from '../../functions/impact-api/impact-reader.js';
import { apiEvent, LEADERSHIP, REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { anyPeriodDate as anyDate } from '../helpers/date-arbitraries.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';

const STORES: Record<string, { region: string; counters: Counters }> = {
  'store-0001': {
    region: 'us-east',
    counters: {
      detections: 2,
      detections_walkout: 2,
      lossDetectedCents: 5_000,
      lossPreventedCents: 1_000,
      outcomes: 4,
      outcomes_false_positive: 1,
    },
  },
  'store-0002': {
    region: 'uk',
    counters: { detections: 1, lossDetectedCents: 900, lossPreventedCents: 3_000, outcomes: 1 },
  },
  'store-0003': {
    region: 'us-east',
    counters: {
      detections: 5,
      lossDetectedCents: 7_000,
      lossPreventedCents: 2_000,
      outcomes: 2,
      outcomes_false_positive: 2,
    },
  },
};
const TEAMS: Record<string, Counters> = {
  'team-pos': { incidents: 2, incidents_automated: 1, minutesSaved: 90, engineerMinutes: 10 },
  'team-vision': { incidents: 1, incidents_manual: 1, minutesSaved: 0, engineerMinutes: 120 },
};

/** Each store's fleet health: one lane silent for an hour in store-0001, all well elsewhere. */
const HEALTH: StoreHealth[] = Object.entries(STORES).map(([storeId, { region }]) => {
  const at = (lane: string, ms: number) => ({
    event: {
      schemaVersion: 1 as const,
      type: 'device_status' as const,
      eventId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      deviceId: `panel-${storeId}-${lane}`,
      occurredAt: new Date(ms).toISOString(),
      seq: 1,
      storeId,
      spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
      daemonVersion: '0.1.0',
      models: [],
    },
    arrivedAt: ms,
    kind: 'panel' as const,
  });
  const now = Date.now();
  const statuses = [at('lane-01', now - 60_000)];
  if (storeId === 'store-0001') statuses.push(at('lane-02', now - 3_600_000));
  return mergeStatuses(undefined, { storeId, region, timeZone: 'UTC' }, statuses, now).next;
});

/** All fixed figures happen on one day (2026-06-15), in one ISO week (2026-W25). */
function sum(entries: [string, Counters][], period: string): RollupRead {
  const totals: Counters = {};
  for (const [, c] of entries)
    for (const [k, v] of Object.entries(c)) totals[k] = (totals[k] ?? 0) + v;
  return { totals, byContributor: new Map(entries), byPeriod: new Map([[period, totals]]) };
}

/** A reader over fixed figures that records what it was asked. */
function fakeReader(): ImpactReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    storeRollup: async (region, from, to) => {
      calls.push(`stores ${region ?? 'org'} ${from}..${to}`);
      return sum(
        Object.entries(STORES)
          .filter(([, s]) => region === undefined || s.region === region)
          .map(([id, s]) => [id, s.counters]),
        '2026-06-15',
      );
    },
    storeSlots: async (storeId, from, to) => {
      calls.push(`slots ${storeId} ${from}..${to}`);
      return [];
    },
    storeTotals: async (region, from, to) => {
      calls.push(`totals ${region ?? 'org'} ${from}..${to}`);
      const { totals, byPeriod } = sum(
        Object.entries(STORES)
          .filter(([, s]) => region === undefined || s.region === region)
          .map(([id, s]) => [id, s.counters]),
        '2026-06-15',
      );
      return { totals, byPeriod };
    },
    teamRollup: async (from, to) => {
      calls.push(`teams ${from}..${to}`);
      return sum(Object.entries(TEAMS), '2026-W25');
    },
    storeDays: async (storeId) => {
      calls.push(`store ${storeId}`);
      const s = STORES[storeId];
      return new Map(s === undefined ? [] : [['2026-06-15', s.counters]]);
    },
    teamWeeks: async (teamId) => {
      calls.push(`team ${teamId}`);
      return new Map([['2026-W25', TEAMS[teamId] ?? {}]]);
    },
    store: async (storeId) => {
      const s = STORES[storeId];
      return s === undefined ? undefined : { storeId, region: s.region, timeZone: 'UTC' };
    },
    fleetHealth: async (region, limit) => {
      calls.push(`fleet ${region}`);
      return {
        stores: HEALTH.filter((h) => h.region === region).slice(0, limit),
        truncated: false,
      };
    },
    storesHealth: async (stores) => {
      calls.push(`fleet stores ${stores.map((s) => s.storeId).join(',')}`);
      return HEALTH.filter((h) => stores.some((s) => s.storeId === h.storeId));
    },
    fleetCoverage: async (regions) => {
      calls.push(`coverage ${regions?.join(',') ?? 'org'}`);
      return HEALTH.filter((h) => regions === undefined || regions.includes(h.region)).map(
        coverageSummary,
      );
    },
  };
}

/**
 * A reader that refuses keys DynamoDB would refuse or misorder, as a Query with `BETWEEN` does:
 * dates and ISO weeks must have a four-digit year, and the lower bound must not sort after the
 * upper one (DynamoDB answers that with a ValidationException, the API with a 500).
 */
function keyCheckingReader(reader: ImpactReader): ImpactReader {
  const check = (pattern: RegExp, from: string, to: string) => {
    if (!pattern.test(from) || !pattern.test(to) || from > to)
      throw new Error(`ValidationException: bad key range ${from}..${to}`);
  };
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const WEEK = /^\d{4}-W\d{2}$/;
  return {
    storeRollup: async (region, from, to) => {
      check(DAY, from, to);
      return reader.storeRollup(region, from, to);
    },
    storeSlots: async (storeId, from, to, cost) => {
      check(DAY, from, to);
      return reader.storeSlots(storeId, from, to, cost);
    },
    storeTotals: async (region, from, to) => {
      check(DAY, from, to);
      return reader.storeTotals(region, from, to);
    },
    teamRollup: async (from, to) => {
      check(WEEK, from, to);
      return reader.teamRollup(from, to);
    },
    storeDays: async (id, from, to) => {
      check(DAY, from, to);
      return reader.storeDays(id, from, to);
    },
    teamWeeks: async (id, from, to) => {
      check(WEEK, from, to);
      return reader.teamWeeks(id, from, to);
    },
    store: (id) => reader.store(id),
    fleetHealth: (region, limit) => reader.fleetHealth(region, limit),
    storesHealth: (stores) => reader.storesHealth(stores),
    fleetCoverage: (regions) => reader.fleetCoverage(regions),
  };
}

async function call(reader: ImpactReader, event: ReturnType<typeof apiEvent>) {
  const handler = createImpactApiHandler(reader, 'USD', silentLogger);
  const response = await handler(event, {} as Context);
  const type = String(response.headers?.['content-type'] ?? '');
  return {
    ...response,
    json: type.includes('json') ? JSON.parse(response.body ?? '{}') : undefined,
  };
}

const PERIOD = { from: '2026-06-01', to: '2026-06-30' };
const get = (path: string, query: Record<string, string>, claims?: Record<string, string>) => {
  const route = path
    .replace(/^\/v1\/fleet\/health$/, '/v1/fleet/health')
    .replace(/^\/v1\/stores\/[^/]+\/shrink$/, '/v1/stores/{storeId}/shrink')
    .replace(/^\/v1\/teams\/[^/]+\/hours-saved$/, '/v1/teams/{teamId}/hours-saved');
  const storeId = /^\/v1\/stores\/([^/]+)\/shrink$/.exec(path)?.[1];
  const teamId = /^\/v1\/teams\/([^/]+)\/hours-saved$/.exec(path)?.[1];
  return apiEvent(`GET ${route}`, {
    path,
    query,
    ...(storeId !== undefined && { pathParameters: { storeId } }),
    ...(teamId !== undefined && { pathParameters: { teamId } }),
    ...(claims !== undefined && { claims }),
  });
};

describe('Handler: impact API routes', () => {
  it('answers leadership with totals, derived rates, hours saved and the period before', async () => {
    const reader = fakeReader();
    const res = await call(reader, get('/v1/impact', PERIOD, LEADERSHIP));
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({
      currency: 'USD',
      region: null,
      shrink: {
        detections: 8,
        lossDetectedCents: 12_900,
        lossPreventedCents: 6_000,
        falsePositiveRate: 0.4286, // 3 false positives of 7 resolved
      },
      hoursSaved: {
        incidents: 3,
        minutesSaved: 90,
        hoursSaved: 1.5,
        weeks: { from: '2026-W23', to: '2026-W27' },
      },
      previous: { period: { from: '2026-05-02', to: '2026-05-31' } },
    });
    // Totals come from the rollups' totals copies, never the per-store rollup items.
    expect(reader.calls).toContain('totals org 2026-05-02..2026-05-31');
    expect(reader.calls.filter((c) => c.startsWith('stores '))).toEqual([]);
  });

  it('gives the period day by day and hours saved week by week, adding up to the totals', async () => {
    const res = await call(fakeReader(), get('/v1/impact', PERIOD, LEADERSHIP));

    const days = res.json.series.days as { period: string; lossDetectedCents: number }[];
    expect(days.map((d) => d.period)).toHaveLength(30);
    expect(days[0]?.period).toBe('2026-06-01');
    expect(days.at(-1)?.period).toBe('2026-06-30');
    expect(days.find((d) => d.period === '2026-06-15')?.lossDetectedCents).toBe(12_900);
    expect(days.reduce((s, d) => s + d.lossDetectedCents, 0)).toBe(
      res.json.shrink.lossDetectedCents,
    );
    const weeks = res.json.series.weeks as { period: string; minutesSaved: number }[];
    expect(weeks.map((w) => w.period)).toEqual([
      '2026-W23',
      '2026-W24',
      '2026-W25',
      '2026-W26',
      '2026-W27',
    ]);
    expect(weeks.reduce((s, w) => s + w.minutesSaved, 0)).toBe(90);
    expect(res.json.previous.series).toBeUndefined();
  });

  it('gives a store manager its own stores day by day and no hours saved', async () => {
    const res = await call(fakeReader(), get('/v1/impact', PERIOD, STORE_MANAGER));

    expect(res.statusCode).toBe(200);
    expect(res.json.series.weeks).toBeNull();
    expect(
      (res.json.series.days as { detections: number }[]).reduce((s, d) => s + d.detections, 0),
    ).toBe(res.json.shrink.detections);
  });

  it('answers a region for leadership from that region only', async () => {
    const res = await call(
      fakeReader(),
      get('/v1/impact', { ...PERIOD, region: 'uk' }, LEADERSHIP),
    );
    expect(res.json.shrink.lossDetectedCents).toBe(900);
  });

  it('buckets a store series by week and by month', async () => {
    const weekly = await call(
      fakeReader(),
      get(
        '/v1/stores/store-0001/shrink',
        { from: '2026-06-08', to: '2026-06-21', granularity: 'week' },
        LEADERSHIP,
      ),
    );
    expect(
      weekly.json.series.map((s: { period: string; detections: number }) => [
        s.period,
        s.detections,
      ]),
    ).toEqual([
      ['2026-W24', 0],
      ['2026-W25', 2],
    ]);
    const monthly = await call(
      fakeReader(),
      get(
        '/v1/stores/store-0001/shrink',
        { from: '2026-05-20', to: '2026-06-30', granularity: 'month' },
        LEADERSHIP,
      ),
    );
    expect(monthly.json.series.map((s: { period: string }) => s.period)).toEqual([
      '2026-05',
      '2026-06',
    ]);
  });

  it('ranks stores by the chosen figure, with ties and nulls in a stable order', async () => {
    const byPrevented = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, sort: 'lossPrevented' }, LEADERSHIP),
    );
    expect(
      byPrevented.json.stores.map((s: { storeId: string; rank: number }) => [s.rank, s.storeId]),
    ).toEqual([
      [1, 'store-0002'],
      [2, 'store-0003'],
      [3, 'store-0001'],
    ]);
    const byRate = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, sort: 'falsePositiveRate', order: 'asc' }, LEADERSHIP),
    );
    expect(byRate.json.stores.map((s: { storeId: string }) => s.storeId)).toEqual([
      'store-0002',
      'store-0001',
      'store-0003',
    ]);
  });

  it('pages the leaderboard with cursors that cover every store once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await call(
        fakeReader(),
        get(
          '/v1/stores',
          { ...PERIOD, limit: '2', ...(cursor !== undefined && { cursor }) },
          LEADERSHIP,
        ),
      );
      expect(res.statusCode).toBe(200);
      seen.push(...res.json.stores.map((s: { storeId: string }) => s.storeId));
      cursor = res.json.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen.sort()).toEqual(['store-0001', 'store-0002', 'store-0003']);
  });

  it('refuses a damaged cursor, or one of another query or scope, with a 400 naming cursor', async () => {
    const first = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, limit: '1' }, LEADERSHIP),
    );
    const cursor = first.json.nextCursor as string;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const withChecksum = (q: string) =>
      Buffer.from(JSON.stringify({ ...decoded, q })).toString('base64url');
    for (const [query, claims] of [
      [
        {
          ...PERIOD,
          limit: '1',
          cursor: `${cursor.slice(0, 8)}${cursor[8] === 'A' ? 'B' : 'A'}${cursor.slice(9)}`,
        },
        LEADERSHIP,
      ],
      [{ ...PERIOD, limit: '1', cursor: withChecksum('x'.repeat(22)) }, LEADERSHIP],
      [{ ...PERIOD, limit: '1', cursor: 'not-base64-json' }, LEADERSHIP],
      [{ ...PERIOD, limit: '1', sort: 'lossDetected', cursor }, LEADERSHIP],
      [{ ...PERIOD, limit: '1', region: 'uk', cursor }, LEADERSHIP],
      [{ ...PERIOD, limit: '1', cursor }, STORE_MANAGER],
    ] as const) {
      const res = await call(fakeReader(), get('/v1/stores', query, claims));
      expect(res.statusCode).toBe(400);
      expect(res.headers?.['content-type']).toBe('application/problem+json');
      expect(res.json.errors).toEqual([{ name: 'cursor', reason: expect.any(String) }]);
      expect(res.json.stores).toBeUndefined();
    }
  });

  it('takes a cursor as a position only: same query and scope, any caller or page size', async () => {
    const first = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, limit: '1' }, LEADERSHIP),
    );
    const cursor = first.json.nextCursor as string;
    const other = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, limit: '5', cursor }, { ...LEADERSHIP, sub: 'someone-else' }),
    );
    expect(other.statusCode).toBe(200);
    expect(other.json.stores.map((s: { rank: number }) => s.rank)).toEqual([2, 3]);
  });

  it('answers a cursor past the last store with an empty page, and refuses an unbounded offset', async () => {
    const first = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, limit: '1' }, LEADERSHIP),
    );
    const decoded = JSON.parse(Buffer.from(first.json.nextCursor, 'base64url').toString());
    const at = (o: number) => Buffer.from(JSON.stringify({ ...decoded, o })).toString('base64url');
    const reader = fakeReader();
    const past = await call(
      reader,
      get('/v1/stores', { ...PERIOD, cursor: at(1_000_000) }, LEADERSHIP),
    );
    expect(past.statusCode).toBe(200);
    expect(past.json).toMatchObject({ stores: [], nextCursor: null });
    // The same reads as the first page: an offset costs nothing.
    expect(reader.calls).toEqual([`stores org ${PERIOD.from}..${PERIOD.to}`, 'coverage org']);
    const beyond = await call(
      fakeReader(),
      get('/v1/stores', { ...PERIOD, cursor: at(1_000_001) }, LEADERSHIP),
    );
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json.errors[0].name).toBe('cursor');
  });

  it('lists hours saved per team and a team series by week or month', async () => {
    const teams = await call(fakeReader(), get('/v1/teams', PERIOD, LEADERSHIP));
    expect(
      teams.json.teams.map((t: { teamId: string; minutesSaved: number }) => [
        t.teamId,
        t.minutesSaved,
      ]),
    ).toEqual([
      ['team-pos', 90],
      ['team-vision', 0],
    ]);
    const monthly = await call(
      fakeReader(),
      get('/v1/teams/team-pos/hours-saved', { ...PERIOD, granularity: 'month' }, LEADERSHIP),
    );
    expect(
      monthly.json.series.map((s: { period: string; minutesSaved: number }) => [
        s.period,
        s.minutesSaved,
      ]),
    ).toEqual([
      ['2026-06', 90],
      ['2026-07', 0],
    ]);
  });

  it('serves its OpenAPI document and docs page without a token', async () => {
    const doc = await call(fakeReader(), apiEvent('GET /openapi.json', {}));
    expect(doc.statusCode).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    const docs = await call(fakeReader(), apiEvent('GET /docs', {}));
    expect(docs.headers?.['content-type']).toContain('text/html');
    expect(docs.body).toContain('/v1/stores/{storeId}/shrink');
  });

  it.each([
    ['/v1/impact', { from: '2026-06-31', to: '2026-07-01' }, 'from'],
    ['/v1/impact', { from: '2026-07-01', to: '2026-06-01' }, 'to'],
    ['/v1/impact', { from: '2025-01-01', to: '2026-06-01' }, 'to'],
    ['/v1/impact', { from: '2026-06-01' }, 'to'],
    ['/v1/impact', { ...PERIOD, storeId: 'store-0002' }, 'storeId'],
    ['/v1/stores', { ...PERIOD, limit: '101' }, 'limit'],
    ['/v1/stores', { ...PERIOD, sort: 'name' }, 'sort'],
    ['/v1/stores/store-0001/shrink', { ...PERIOD, granularity: 'hour' }, 'granularity'],
    ['/v1/teams/team-pos/hours-saved', { ...PERIOD, granularity: 'day' }, 'granularity'],
    ['/v1/teams', { ...PERIOD, region: 'uk' }, 'region'],
    ['/v1/impact', { from: '9999-12-01', to: '9999-12-31' }, 'from'],
    ['/v1/teams/team-pos/hours-saved', { from: '9999-12-01', to: '9999-12-31' }, 'to'],
    ['/v1/impact', { from: '0100-01-01', to: '0100-01-31' }, 'from'],
    ['/v1/teams', { from: '0999-12-20', to: '0999-12-31' }, 'to'],
    ['/v1/stores', { from: '1999-12-31', to: '2000-01-05' }, 'from'],
    ['/v1/stores/store-0001/shrink', { from: '2099-12-01', to: '2100-01-01' }, 'to'],
  ])('answers %s %j with a 400 problem naming %s', async (path, query, name) => {
    const res = await call(fakeReader(), get(path, query as Record<string, string>, LEADERSHIP));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({
      status: 400,
      title: 'Invalid request parameters',
      requestId: 'req-123',
    });
    expect(res.json.errors.map((e: { name: string }) => e.name)).toContain(name);
  });

  it.each([
    ['/v1/impact', { from: '2000-01-01', to: '2000-01-31' }],
    ['/v1/teams/team-pos/hours-saved', { from: '2099-12-01', to: '2099-12-31' }],
    ['/v1/stores', { from: '2099-01-01', to: '2099-12-31' }],
  ])('answers %s %j at the edges of the accepted years', async (path, query) => {
    const res = await call(keyCheckingReader(fakeReader()), get(path, query, LEADERSHIP));
    expect(res.statusCode).toBe(200);
  });

  it('logs every refusal under the request id the client got', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = {
      info: () => undefined,
      warn: (_m: string, f?: Record<string, unknown>) => lines.push(f ?? {}),
      error: () => undefined,
    };
    const handler = createImpactApiHandler(fakeReader(), 'USD', logger);
    const res = await handler(get('/v1/teams', PERIOD, STORE_MANAGER), {} as Context);
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['x-request-id']).toBe('req-123');
    expect(lines).toEqual([
      { requestId: 'req-123', route: 'GET /v1/teams', status: 403, problem: 'forbidden' },
    ]);
  });

  it('hides internal error text behind a 500 that carries the request id', async () => {
    const reader = {
      ...fakeReader(),
      storeTotals: async () => Promise.reject(new Error('secret table name in message')),
    };
    const res = await call(reader, get('/v1/impact', PERIOD, LEADERSHIP));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.json.requestId).toBe('req-123');
  });
});

describe('Handler: role matrix', () => {
  const WILDCARD = { sub: 'w', 'custom:role': 'store_manager', 'custom:stores': '*' };
  const AUTOMATION = {
    sub: 'oncall-bot',
    'custom:role': 'automation',
    'custom:device': 'agent-team-pos',
  };
  const routes: [string, Record<string, string>][] = [
    ['/v1/impact', PERIOD],
    ['/v1/impact', { ...PERIOD, region: 'uk' }],
    ['/v1/stores', PERIOD],
    ['/v1/stores', { ...PERIOD, region: 'uk' }],
    ['/v1/stores/store-0001/shrink', PERIOD],
    ['/v1/stores/store-0002/shrink', PERIOD],
    ['/v1/stores/store-9999/shrink', PERIOD],
    ['/v1/teams', PERIOD],
    ['/v1/teams/team-pos/hours-saved', PERIOD],
    ['/v1/fleet/health', {}],
    ['/v1/fleet/health', { region: 'us-east', only: 'all' }],
    ['/v1/fleet/health', { region: 'uk', only: 'all' }],
  ];
  const expected: Record<string, number[]> = {
    // Leadership names a region for fleet health (400 without one).
    leadership: [200, 200, 200, 200, 200, 200, 404, 200, 200, 400, 200, 200],
    region_manager: [200, 403, 200, 403, 200, 403, 403, 403, 403, 200, 200, 403],
    store_manager: [200, 403, 200, 403, 200, 403, 403, 403, 403, 200, 403, 403],
    wildcard: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    // Authenticated (it reports incidents at the edge), but not a reader.
    automation: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    automation_without_device: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    unknown_role: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    none: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
  };
  const claimsOf: Record<string, Record<string, string> | undefined> = {
    leadership: LEADERSHIP,
    region_manager: REGION_MANAGER,
    store_manager: STORE_MANAGER,
    wildcard: WILDCARD,
    automation: AUTOMATION,
    automation_without_device: { sub: 'oncall-bot', 'custom:role': 'automation' },
    unknown_role: { sub: 'x', 'custom:role': 'superuser' },
    none: undefined,
  };

  it.each(Object.keys(expected))(
    'gives %s exactly its statuses on every route, and never data outside its scope',
    async (role) => {
      const statuses: number[] = [];
      for (const [path, query] of routes) {
        const res = await call(fakeReader(), get(path, query, claimsOf[role]));
        statuses.push(res.statusCode ?? 0);
        if (res.statusCode !== 200) {
          expect(res.json?.shrink).toBeUndefined();
          expect(res.headers?.['content-type']).toBe('application/problem+json');
          continue;
        }
        const visible: string[] = res.json.stores?.map((s: { storeId: string }) => s.storeId) ?? [];
        if (role === 'store_manager') expect(visible.every((id) => id === 'store-0001')).toBe(true);
        if (role === 'region_manager')
          expect(visible.every((id) => STORES[id]?.region === 'us-east')).toBe(true);
        if (role !== 'leadership') expect(res.json.hoursSaved ?? null).toBeNull();
      }
      expect(statuses).toEqual(expected[role]);
    },
  );
});

describe('Handler: any period parameter', () => {
  const ROUTES_WITH_PERIOD = [
    '/v1/impact',
    '/v1/stores',
    '/v1/stores/store-0001/shrink',
    '/v1/teams',
    '/v1/teams/team-pos/hours-saved',
  ];

  it('answers any from/to on any route and role with 200, 400 or 403, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES_WITH_PERIOD),
        fc.constantFrom(LEADERSHIP, REGION_MANAGER, STORE_MANAGER),
        anyDate,
        anyDate,
        async (path, claims, from, to) => {
          const res = await call(keyCheckingReader(fakeReader()), get(path, { from, to }, claims));
          expect([200, 400, 403]).toContain(res.statusCode);
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe('Handler: fleet health', () => {
  it("lists a region's stores that need attention, worst first, with a summary of every store read", async () => {
    const reader = fakeReader();

    const res = await call(reader, get('/v1/fleet/health', { region: 'us-east' }, LEADERSHIP));

    expect(res.statusCode).toBe(200);
    expect(reader.calls).toEqual(['fleet us-east']);
    expect(res.json.stores.map((s: { storeId: string }) => s.storeId)).toEqual(['store-0001']);
    expect(res.json.stores[0]).toMatchObject({
      reporting: 1,
      known: 2,
      silent: [{ deviceId: 'panel-store-0001-lane-02' }],
      attention: true,
    });
    expect(res.json.summary).toMatchObject({
      stores: 2,
      storesNeedingAttention: 1,
      devicesReporting: 2,
      devicesSilent: 1,
      daemonVersions: { '0.1.0': 3 },
    });
    expect(res.json.truncated).toBe(false);
  });

  it("gives a store manager its own stores' health only, read by key", async () => {
    const reader = fakeReader();

    const res = await call(reader, get('/v1/fleet/health', { only: 'all' }, STORE_MANAGER));

    expect(res.statusCode).toBe(200);
    expect(reader.calls).toEqual(['fleet stores store-0001']);
    expect(res.json.stores.map((s: { storeId: string }) => s.storeId)).toEqual(['store-0001']);
    expect(res.json.scope).toEqual({ role: 'store_manager', stores: ['store-0001'] });
  });

  it('refuses a leadership query without a region, naming the parameter, and bounds the limit', async () => {
    const none = await call(fakeReader(), get('/v1/fleet/health', {}, LEADERSHIP));
    const huge = await call(
      fakeReader(),
      get('/v1/fleet/health', { region: 'uk', limit: '100000' }, LEADERSHIP),
    );

    expect(none.statusCode).toBe(400);
    expect(none.json.detail).toContain('region');
    expect(huge.statusCode).toBe(400);
  });
});

describe('Handler: coverage beside a store figure', () => {
  it("says how many of the store's devices report, which are silent, and how far its figures are complete", async () => {
    const res = await call(
      fakeReader(),
      get('/v1/stores/store-0001/shrink', PERIOD, STORE_MANAGER),
    );

    expect(res.statusCode).toBe(200);
    expect(res.json.coverage).toMatchObject({
      devicesReporting: 1,
      devicesKnown: 2,
      silent: [{ deviceId: 'panel-store-0001-lane-02' }],
    });
    expect(Date.parse(res.json.coverage.completeThrough)).toBeLessThanOrEqual(Date.now());
  });
});

describe('Handler: coverage beside the totals', () => {
  it("says how many of the scope's stores and devices report, and how many stores have gaps", async () => {
    const org = await call(fakeReader(), get('/v1/impact', PERIOD, LEADERSHIP));
    const region = await call(fakeReader(), get('/v1/impact', PERIOD, REGION_MANAGER));
    const store = await call(fakeReader(), get('/v1/impact', PERIOD, STORE_MANAGER));

    expect(org.json.coverage).toMatchObject({
      stores: 3,
      storesReporting: 3,
      storesWithGaps: 1,
      devicesKnown: 4,
      devicesReporting: 3,
    });
    expect(region.json.coverage).toMatchObject({ stores: 2, storesWithGaps: 1 });
    expect(store.json.coverage).toMatchObject({ stores: 1, devicesKnown: 2, devicesReporting: 1 });
    expect(Date.parse(org.json.coverage.completeThrough)).toBeLessThanOrEqual(Date.now());
    expect(org.json.coverage).toMatchObject({ lanesRegistered: 4, lanesReporting: 3 });
  });

  it('gives each leaderboard row its coverage, in scope', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const period = { from: today, to: today };
    const org = await call(fakeReader(), get('/v1/stores', period, LEADERSHIP));
    const rows = new Map(
      (org.json.stores as { storeId: string; coverage: unknown }[]).map((r) => [r.storeId, r]),
    );
    expect(rows.get('store-0001')?.coverage).toMatchObject({
      lanesReporting: 1,
      lanesRegistered: 2,
    });
    expect(rows.get('store-0002')?.coverage).toMatchObject({
      lanesReporting: 1,
      lanesRegistered: 1,
      gapDays: 0,
    });
  });
});

describe('Handler: net impact', () => {
  const VALUATION = {
    loadedHourlyRateCents: 5_000,
    pipelineMonthlyCostCents: 73_000, // 2,400 a day: 365 / 12 days to the month
    costSource: 'plan',
    costSourceDetail: 'plan: reference fleet, test run',
  } as const;
  const netCall = async (
    query: Record<string, string>,
    claims: Record<string, string>,
    valuation: typeof VALUATION | null = VALUATION,
    reader = fakeReader(),
  ) => {
    const handler = createImpactApiHandler(reader, 'USD', silentLogger, valuation ?? undefined);
    const res = await handler(
      apiEvent('GET /v1/net-impact', { path: '/v1/net-impact', query, claims }),
      {} as Context,
    );
    return { ...res, json: JSON.parse(res.body ?? '{}'), reader };
  };
  const TEN_DAYS = { from: '2026-06-01', to: '2026-06-10' };

  it('answers the organisation: loss prevented + hours at the rate - the running cost for the days', async () => {
    const [impact, net] = await Promise.all([
      call(fakeReader(), get('/v1/impact', TEN_DAYS, LEADERSHIP)),
      netCall(TEN_DAYS, LEADERSHIP),
    ]);
    expect(net.statusCode).toBe(200);
    const lossPrevented = impact.json.shrink.lossPreventedCents;
    const hours = impact.json.hoursSaved.hoursSaved;
    expect(lossPrevented).toBeGreaterThan(0);
    expect(hours).toBeGreaterThan(0);
    expect(net.json).toEqual({
      period: TEN_DAYS,
      scope: { role: 'leadership', level: 'organisation' },
      currency: 'USD',
      lossPreventedCents: lossPrevented,
      hoursSaved: hours,
      hoursSavedValueCents: Math.round(hours * 5_000),
      pipelineCostCents: 24_000,
      netImpactCents: lossPrevented + Math.round(hours * 5_000) - 24_000,
      assumptions: {
        ...VALUATION,
        hoursSavedWeeks: { from: '2026-W23', to: '2026-W24' },
        proration: expect.stringContaining('10 days'),
      },
    });
    // Totals from the rollups' totals copies, as /v1/impact reads them; nothing per store.
    expect(net.reader.calls).toContain('totals org 2026-06-01..2026-06-10');
    expect(net.reader.calls.filter((c) => c.startsWith('stores '))).toEqual([]);
  });

  it('refuses region and store managers with the reason, and a region parameter', async () => {
    for (const claims of [REGION_MANAGER, STORE_MANAGER]) {
      const res = await netCall(TEN_DAYS, claims);
      expect(res.statusCode).toBe(403);
      expect(res.json.detail).toMatch(/organisation's \(leadership only\)/);
    }
    const region = await netCall({ ...TEN_DAYS, region: 'uk' }, LEADERSHIP);
    expect(region.statusCode).toBe(400);
    expect(region.json.detail).toMatch(/region/);
  });

  it('answers 503 when the stage has no running cost, and 400 for a bad period', async () => {
    const unconfigured = await netCall(TEN_DAYS, LEADERSHIP, null);
    expect(unconfigured.statusCode).toBe(503);
    expect(unconfigured.json.detail).toMatch(/running cost is not configured/);
    const backwards = await netCall({ from: '2026-06-10', to: '2026-06-01' }, LEADERSHIP);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json.detail).toMatch(/to: must not be before from/);
  });
});
