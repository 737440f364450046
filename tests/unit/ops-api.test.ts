import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { StoredDeadLetter } from '../../functions/adapters/dynamodb-dead-letters.js';
import type { DeadLetterKey } from '../../functions/domain/dead-letter-id.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { ROUTES, routeKeyOf, routesOf } from '../../functions/impact-api/routes.js';
import { createOpsApiHandler, OPS_ROUTE_KEYS } from '../../functions/ops-api/create-handler.js';
import type { DeadLetterReader } from '../../functions/ops-api/dead-letter-reader.js';
import { apiEvent, LEADERSHIP, REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';

const OPERATOR = { sub: 'op1', 'custom:role': 'operator' };
const AUTOMATION = { sub: 'bot1', 'custom:role': 'automation', 'custom:device': 'agent-1' };
const TODAY = '2026-12-02';

const stored = (over: Partial<StoredDeadLetter> = {}): StoredDeadLetter => ({
  id: '2026-12-01/shardId-000000000000/4960/0',
  reason: 'unknown_device',
  detail: 'device panel-x is not registered',
  arrivedAt: '2026-12-01T10:00:00.000Z',
  deadLetteredAt: '2026-12-01T10:00:01.000Z',
  shardId: 'shardId-000000000000',
  sequenceNumber: '4960',
  subSequenceNumber: 0,
  subSequenceNumbers: [0, 1, 2],
  count: 3,
  sizeBytes: 400,
  deviceId: 'panel-x',
  eventIds: ['01EV0000000000000000000001', '01EV0000000000000000000002'],
  ...over,
});

/** A reader over fixed letters that records what it was asked. */
function fakeReader(letters: StoredDeadLetter[] = [stored()]) {
  const calls: string[] = [];
  const reader: DeadLetterReader = {
    list: async (query) => {
      calls.push(`list ${query.dates[0]}..${query.dates.at(-1)} limit ${query.limit}`);
      return { letters: letters.slice(0, query.limit), truncated: letters.length > query.limit };
    },
    get: async (key: DeadLetterKey) => {
      calls.push(`get ${key.date} ${key.shardId} ${key.sequenceNumber} ${key.subSequenceNumber}`);
      return letters.find(
        (l) => l.id === `${key.date}/${key.shardId}/${key.sequenceNumber}/${key.subSequenceNumber}`,
      );
    },
  };
  return { reader, calls };
}

const opsHandler = (reader: DeadLetterReader) =>
  createOpsApiHandler(reader, { logger: silentLogger, today: () => TODAY });

type Result = { statusCode?: number; body?: string; headers?: Record<string, unknown> };

async function ops(
  reader: DeadLetterReader,
  routeKey: string,
  query: Record<string, string> | undefined,
  claims: Record<string, string> | undefined,
) {
  const res = (await opsHandler(reader)(
    apiEvent(routeKey, {
      ...(query !== undefined && { query }),
      ...(claims !== undefined && { claims }),
    }),
    {} as Context,
  )) as Result;
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}'), headers: res.headers };
}

const LIST = 'GET /v1/ops/dead-letters';
const EXPLAIN = 'GET /v1/ops/dead-letter';
const VALID_QUERY: Record<string, Record<string, string>> = {
  [LIST]: { from: '2026-12-01', to: '2026-12-02' },
  [EXPLAIN]: { id: '2026-12-01/shardId-000000000000/4960/0' },
};

describe('Function: ops API, the operator role', () => {
  it('answers exactly the ops routes of the one route list', () => {
    expect([...OPS_ROUTE_KEYS].sort()).toEqual(routesOf('ops-api').map(routeKeyOf).sort());
    expect(
      routesOf('ops-api')
        .map((r) => r.path)
        .every((p) => p.startsWith('/v1/ops/')),
    ).toBe(true);
    expect(routesOf('ops-api').every((r) => r.auth)).toBe(true);
  });

  const REFUSED = [
    ['leadership', LEADERSHIP],
    ['region_manager', REGION_MANAGER],
    ['store_manager', STORE_MANAGER],
    ['automation', AUTOMATION],
  ] as const;

  for (const routeKey of [LIST, EXPLAIN]) {
    it(`${routeKey}: answers an operator token 200`, async () => {
      // Prepare
      const { reader } = fakeReader();
      // Act
      const res = await ops(reader, routeKey, VALID_QUERY[routeKey], OPERATOR);
      // Assess
      expect(res.status).toBe(200);
      expect(res.headers?.['content-type']).toBe('application/json');
    });

    it.each(REFUSED)(
      `${routeKey}: refuses a %s token with 403, reading nothing`,
      async (_role, claims) => {
        const { reader, calls } = fakeReader();
        const res = await ops(reader, routeKey, VALID_QUERY[routeKey], claims);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({
          status: 403,
          detail: 'the ops routes answer operator tokens only',
        });
        expect(calls).toEqual([]);
      },
    );

    it(`${routeKey}: refuses no token, and claims that grant no role, with 401`, async () => {
      const { reader, calls } = fakeReader();
      expect((await ops(reader, routeKey, VALID_QUERY[routeKey], undefined)).status).toBe(401);
      for (const claims of <Record<string, string>[]>[
        { sub: 'x', 'custom:role': 'root' },
        { sub: '', 'custom:role': 'operator' },
        { 'custom:role': 'operator' },
      ]) {
        expect((await ops(reader, routeKey, VALID_QUERY[routeKey], claims)).status).toBe(401);
      }
      expect(calls).toEqual([]);
    });

    it(`${routeKey}: refuses a non-operator with 403 before reading its parameters`, async () => {
      const { reader } = fakeReader();
      const res = await ops(reader, routeKey, { limit: 'lots', id: '../../etc' }, LEADERSHIP);
      expect(res.status).toBe(403);
    });
  }

  it('gives an operator token none of the figure routes (403 on each), reading nothing', async () => {
    const calls: string[] = [];
    const reader = new Proxy({} as ImpactReader, {
      get: (_t, name) => async () => {
        calls.push(String(name));
        throw new Error('the reader was called');
      },
    });
    const impact = createImpactApiHandler(reader, 'USD', silentLogger);
    const figureRoutes = routesOf('impact-api').filter((r) => r.auth);
    expect(figureRoutes.length).toBeGreaterThan(0);
    for (const route of figureRoutes) {
      const res = (await impact(
        apiEvent(routeKeyOf(route), {
          query: { from: '2026-06-01', to: '2026-06-30' },
          pathParameters: { storeId: 'store-0001', teamId: 'team-pos' },
          claims: OPERATOR,
        }),
        {} as Context,
      )) as Result;
      expect(res.statusCode, routeKeyOf(route)).toBe(403);
      expect(JSON.parse(res.body ?? '{}').detail).toMatch(/operator token reads the ops routes/);
    }
    expect(calls).toEqual([]);
  });

  it('lists every route of the one list in exactly one function', () => {
    expect(ROUTES.every((r) => r.function === 'impact-api' || r.function === 'ops-api')).toBe(true);
  });
});

describe('Function: ops API, listing dead letters', () => {
  it('answers the letters, a count per reason and truncated, for today by default', async () => {
    const { reader, calls } = fakeReader([
      stored(),
      stored({ id: '2026-12-01/shardId-000000000000/4970/0', reason: 'clock_skew', count: 1 }),
    ]);
    const res = await ops(reader, LIST, undefined, OPERATOR);
    expect(res.status).toBe(200);
    expect(res.body.period).toEqual({ from: TODAY, to: TODAY });
    expect(res.body.truncated).toBe(false);
    expect(res.body.byReason).toEqual([
      { reason: 'unknown_device', letters: 1, records: 3 },
      { reason: 'clock_skew', letters: 1, records: 1 },
    ]);
    expect(res.body.letters[0]).toMatchObject({
      id: '2026-12-01/shardId-000000000000/4960/0',
      firstEventIds: ['01EV0000000000000000000001', '01EV0000000000000000000002'],
      eventIdCount: 2,
    });
    expect(calls).toEqual([`list ${TODAY}..${TODAY} limit 100`]);
  });

  it('defaults from to the given to, as the CLI does', async () => {
    const { reader, calls } = fakeReader();
    await ops(reader, LIST, { to: '2026-11-20' }, OPERATOR);
    expect(calls).toEqual(['list 2026-11-20..2026-11-20 limit 100']);
  });

  it.each([
    [{ from: '2026-09-30', to: '2026-12-01' }, 'to', /at most 62 days.*is 63/],
    [{ from: '2026-10-01' }, 'to', /at most 62 days/],
    [{ from: '2026-12-02', to: '2026-12-01' }, 'to', /must not be before from/],
    [{ from: '2026-12-05' }, 'from', /must not be before from/],
    [{ from: '2026-02-30' }, 'from', /calendar date/],
    [{ to: 'yesterday' }, 'to', /calendar date/],
    [{ limit: '1001' }, 'limit', /1000/],
    [{ limit: '99999999999999999999' }, 'limit', /./],
    [{ limit: '0' }, 'limit', /./],
    [{ limit: '2.5' }, 'limit', /./],
    [{ reason: 'everything' }, 'reason', /unknown_device/],
    [{ deviceId: 'a b' }, 'deviceId', /identifier/],
    [{ table: 'impact-aggregates' }, 'table', /unknown parameter/],
  ])('refuses %o with a 400 problem naming %s, reading nothing', async (query, name, reason) => {
    const { reader, calls } = fakeReader();
    const res = await ops(reader, LIST, query as Record<string, string>, OPERATOR);
    expect(res.status).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const named = (res.body.errors as { name: string; reason: string }[]).find(
      (e) => e.name === name,
    );
    expect(named?.reason).toMatch(reason);
    expect(res.body.detail).toContain(name);
    expect(calls).toEqual([]);
  });

  it('accepts exactly 62 days and a limit of 1000', async () => {
    const { reader, calls } = fakeReader();
    const res = await ops(
      reader,
      LIST,
      { from: '2026-10-01', to: '2026-12-01', limit: '1000' },
      OPERATOR,
    );
    expect(res.status).toBe(200);
    expect(calls).toEqual(['list 2026-10-01..2026-12-01 limit 1000']);
  });

  it('keeps a full page of hostile letters far under the 6 MB a Lambda may answer', async () => {
    // Prepare: 1,000 letters, each with a 2,000-character detail of control characters (6
    // bytes each in JSON) and 4,400 event ids, the most one letter holds.
    const hostile = Array.from({ length: 1_000 }, (_, i) =>
      stored({
        id: `2026-12-01/shardId-000000000000/${5000 + i}/0`,
        detail: '\u0007'.repeat(2_000),
        eventIds: Array.from({ length: 4_400 }, (_, k) => `01EV${String(k).padStart(22, '0')}`),
        count: 4_400,
      }),
    );
    const { reader } = fakeReader(hostile);
    // Act
    const res = (await opsHandler(reader)(
      apiEvent(LIST, { query: { limit: '1000' }, claims: OPERATOR }),
      {} as Context,
    )) as Result;
    // Assess
    expect(res.statusCode).toBe(200);
    expect(Buffer.byteLength(res.body ?? '')).toBeLessThan(2_000_000);
    const body = JSON.parse(res.body ?? '{}');
    expect(body.letters).toHaveLength(1_000);
    expect(body.letters[0].detail).toHaveLength(201);
    expect(body.letters[0].firstEventIds).toHaveLength(10);
    expect(body.letters[0].eventIdCount).toBe(4_400);
  });
});

describe('Function: ops API, explaining a dead letter', () => {
  it('answers the whole letter and the advice for its reason', async () => {
    const { reader, calls } = fakeReader();
    const res = await ops(reader, EXPLAIN, VALID_QUERY[EXPLAIN], OPERATOR);
    expect(res.status).toBe(200);
    expect(res.body.letter).toEqual(stored());
    expect(res.body.advice).toMatchObject({ recovery: 'rebuild_after_fix' });
    expect(res.body.advice.fix).toMatch(/npm run register/);
    expect(calls).toEqual(['get 2026-12-01 shardId-000000000000 4960 0']);
  });

  it('answers 404 for a well-formed id of no letter', async () => {
    const { reader } = fakeReader();
    const res = await ops(reader, EXPLAIN, { id: '2026-12-01/shardId-000000000000/1/0' }, OPERATOR);
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('no dead letter 2026-12-01/shardId-000000000000/1/0');
  });

  it.each([
    [{ id: 'not-an-id' }],
    [{ id: '2026-12-01/shardId-000000000000/4960' }],
    [{ id: `2026-12-01/shardId-000000000000/${'9'.repeat(129)}/0` }],
    [{ id: '2026-12-01/../../4960/0' }],
    [{ id: 'x'.repeat(100_000) }],
    [{}],
    [{ id: '2026-12-01/shardId-000000000000/4960/0', extra: '1' }],
  ])('refuses %o with a 400 problem, reading nothing', async (query) => {
    const { reader, calls } = fakeReader();
    const res = await ops(reader, EXPLAIN, query as Record<string, string>, OPERATOR);
    expect(res.status).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/id|extra/);
    expect(calls).toEqual([]);
  });
});
