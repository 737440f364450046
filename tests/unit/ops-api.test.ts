import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { StoredDeadLetter } from '../../functions/adapters/dynamodb-dead-letters.js';
import type { ReplayReport } from '../../functions/archive/replay.js';
import type { DeadLetterKey } from '../../functions/domain/dead-letter-id.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { ROUTES, routeKeyOf, routesOf } from '../../functions/impact-api/routes.js';
import {
  createOpsApiHandler,
  OPS_ROUTE_KEYS,
  type OpsPorts,
} from '../../functions/ops-api/create-handler.js';
import type { DeadLetterReader } from '../../functions/ops-api/dead-letter-reader.js';
import {
  confirmToken,
  type DeadLetterReplayer,
} from '../../functions/ops-api/dead-letter-replay.js';
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

/** Ports over a reader whose replayer and status must not be reached. */
const portsOf = (reader: DeadLetterReader | OpsPorts): OpsPorts =>
  'replayer' in reader
    ? reader
    : {
        reader,
        replayer: {
          replay: async () => {
            throw new Error('the replayer was called');
          },
        },
        status: async () => {
          throw new Error('the status was read');
        },
      };

const opsHandler = (reader: DeadLetterReader | OpsPorts) =>
  createOpsApiHandler(portsOf(reader), { logger: silentLogger, today: () => TODAY });

type Result = { statusCode?: number; body?: string; headers?: Record<string, unknown> };

async function ops(
  reader: DeadLetterReader | OpsPorts,
  routeKey: string,
  query: Record<string, string> | undefined,
  claims: Record<string, string> | undefined,
  body?: unknown,
) {
  const res = (await opsHandler(reader)(
    apiEvent(routeKey, {
      ...(query !== undefined && { query }),
      ...(claims !== undefined && { claims }),
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
    {} as Context,
  )) as Result;
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}'), headers: res.headers };
}

const LIST = 'GET /v1/ops/dead-letters';
const EXPLAIN = 'GET /v1/ops/dead-letter';
const REPLAY = 'POST /v1/ops/dead-letters/replay';
const STATUS = 'GET /v1/ops/pipeline-status';
const VALID_QUERY: Record<string, Record<string, string> | undefined> = {
  [LIST]: { from: '2026-12-01', to: '2026-12-02' },
  [EXPLAIN]: { id: '2026-12-01/shardId-000000000000/4960/0' },
  [REPLAY]: undefined,
  [STATUS]: undefined,
};
const VALID_BODY: Record<string, unknown> = {
  [REPLAY]: { ids: ['2026-12-01/shardId-000000000000/4960/0'] },
};

const STATUS_REPORT = {
  stream: 'store-telemetry',
  at: '2026-12-02T12:00:00.000Z',
  state: 'ok',
  shards: [{ shardId: 'shardId-000000000000', state: 'unseen' }],
  maxIteratorAgeMs: 0,
  deadLettersPerHour: [],
  recentErrors: [],
  deadLettersTruncated: false,
} as const;

/**
 * Ports over fixed letters: a reader, a replayer that answers `outcome` for each letter (dry
 * run: would_replay) and a status, each recording what it was asked in `calls`.
 */
function fakePorts(
  letters: StoredDeadLetter[] = [stored()],
  outcome: ReplayReport['results'][number]['outcome'] = 'counted',
) {
  const { reader, calls } = fakeReader(letters);
  const listed: unknown[] = [];
  const replayer: DeadLetterReplayer = {
    replay: async (chosen, dryRun) => {
      calls.push(`replay ${dryRun ? 'dry' : 'wet'} ${chosen.map((l) => l.id).join(',')}`);
      return {
        dryRun,
        letters: chosen.length,
        records: { wanted: chosen.length, stream: chosen.length, archive: 0, notFound: 0 },
        counted: dryRun ? 0 : chosen.length,
        duplicates: 0,
        deadLettered: 0,
        results: chosen.map((l) => ({
          id: l.id,
          reason: l.reason,
          count: l.count,
          deadLetteredAt: l.deadLetteredAt,
          outcome: dryRun && outcome === 'counted' ? 'would_replay' : outcome,
          ...(outcome !== 'not_found' && { source: 'stream' as const }),
        })),
      };
    },
  };
  const ports: OpsPorts = {
    reader: {
      list: async (query) => {
        listed.push(query);
        return reader.list(query);
      },
      get: reader.get,
    },
    replayer,
    status: async () => {
      calls.push('status');
      return STATUS_REPORT;
    },
  };
  return { ports, calls, listed };
}

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

  for (const routeKey of [LIST, EXPLAIN, REPLAY, STATUS]) {
    it(`${routeKey}: answers an operator token 200`, async () => {
      // Prepare
      const { ports } = fakePorts();
      // Act
      const res = await ops(ports, routeKey, VALID_QUERY[routeKey], OPERATOR, VALID_BODY[routeKey]);
      // Assess
      expect(res.status).toBe(200);
      expect(res.headers?.['content-type']).toBe('application/json');
    });

    it.each(REFUSED)(
      `${routeKey}: refuses a %s token with 403, reading nothing`,
      async (_role, claims) => {
        const { ports, calls } = fakePorts();
        const res = await ops(ports, routeKey, VALID_QUERY[routeKey], claims, VALID_BODY[routeKey]);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({
          status: 403,
          detail: 'the ops routes answer operator tokens only',
        });
        expect(calls).toEqual([]);
      },
    );

    it(`${routeKey}: refuses no token, and claims that grant no role, with 401`, async () => {
      const { ports: reader, calls } = fakePorts();
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
      const { ports, calls } = fakePorts();
      const res = await ops(ports, routeKey, { limit: 'lots', id: '../../etc' }, LEADERSHIP, '{');
      expect(res.status).toBe(403);
      expect(calls).toEqual([]);
    });
  }

  it("gives an operator token none of the figure routes (403 on each), reading nothing; fleet health is the pipeline's, which it reads", async () => {
    const calls: string[] = [];
    const reader = new Proxy({} as ImpactReader, {
      get: (_t, name) => async () => {
        calls.push(String(name));
        throw new Error('the reader was called');
      },
    });
    const impact = createImpactApiHandler(reader, 'USD', silentLogger);
    const figureRoutes = routesOf('impact-api').filter(
      (r) => r.auth && r.path !== '/v1/fleet/health',
    );
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

describe('Function: ops API, replaying dead letters', () => {
  const ID = '2026-12-01/shardId-000000000000/4960/0';
  const OTHER = '2026-12-01/shardId-000000000000/4970/0';
  const two = () => [stored(), stored({ id: OTHER, sequenceNumber: '4970' })];

  it('plans by default: answers the dry run, the confirm token of the selection and how to confirm', async () => {
    // Prepare
    const { ports, calls } = fakePorts(two());
    // Act
    const res = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [OTHER, ID, ID] });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      letters: 2,
      counted: 0,
      selection: { by: 'ids', truncated: false, missing: [] },
      confirm: confirmToken([{ id: ID }, { id: OTHER }]),
    });
    expect(res.body.confirm).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'would_replay',
      'would_replay',
    ]);
    expect(res.body.notes[0]).toContain(`"dryRun": false and "confirm": "${res.body.confirm}"`);
    expect(calls.filter((c) => c.startsWith('replay'))).toEqual([`replay dry ${OTHER},${ID}`]);
  });

  it('the token depends on the set of letters only, not their order, and changes with it', () => {
    expect(confirmToken([{ id: ID }, { id: OTHER }])).toBe(
      confirmToken([{ id: OTHER }, { id: ID }]),
    );
    expect(confirmToken([{ id: ID }])).not.toBe(confirmToken([{ id: ID }, { id: OTHER }]));
    expect(confirmToken([])).not.toBe(confirmToken([{ id: ID }]));
  });

  it('selects a range as the CLI does: the recoverable reasons, letters no replay counted, at most 100', async () => {
    const { ports, listed } = fakePorts();
    const res = await ops(ports, REPLAY, undefined, OPERATOR, { from: '2026-12-01' });
    expect(res.status).toBe(200);
    expect(res.body.selection).toMatchObject({
      by: 'range',
      period: { from: '2026-12-01', to: TODAY },
    });
    expect(listed).toEqual([
      {
        dates: ['2026-12-01', '2026-12-02'],
        limit: 100,
        reasons: [
          'unknown_device',
          'unknown_store',
          'store_mismatch',
          'team_mismatch',
          'unknown_key',
        ],
        unresolved: true,
      },
    ]);
    const named = fakePorts();
    await ops(named.ports, REPLAY, undefined, OPERATOR, {
      reason: 'unknown_device',
      deviceId: 'panel-x',
      limit: 5,
    });
    expect(named.listed).toEqual([
      {
        dates: [TODAY],
        limit: 5,
        reason: 'unknown_device',
        deviceId: 'panel-x',
        unresolved: true,
      },
    ]);
  });

  it('replays with dryRun false and the confirm token of the same selection', async () => {
    const { ports, calls } = fakePorts(two());
    const plan = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [ID, OTHER] });
    const res = await ops(ports, REPLAY, undefined, OPERATOR, {
      ids: [OTHER, ID],
      dryRun: false,
      confirm: plan.body.confirm,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, counted: 2, confirm: plan.body.confirm });
    expect(calls.filter((c) => c.startsWith('replay'))).toEqual([
      `replay dry ${ID},${OTHER}`,
      `replay wet ${OTHER},${ID}`,
    ]);
  });

  it('refuses dryRun false without confirm (400) and with a stale one (409), replaying nothing', async () => {
    // Prepare: a plan of one letter; then the selection grows (a second letter arrived).
    const { ports, calls } = fakePorts(two());
    const plan = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [ID] });
    // Act
    const missing = await ops(ports, REPLAY, undefined, OPERATOR, {
      ids: [ID, OTHER],
      dryRun: false,
    });
    const stale = await ops(ports, REPLAY, undefined, OPERATOR, {
      ids: [ID, OTHER],
      dryRun: false,
      confirm: plan.body.confirm,
    });
    const forged = await ops(ports, REPLAY, undefined, OPERATOR, {
      ids: [ID],
      dryRun: false,
      confirm: 'sha256:0000',
    });
    // Assess
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { name: 'confirm', reason: expect.stringMatching(/dry-run this selection first/) },
    ]);
    expect(stale.status).toBe(409);
    expect(stale.headers?.['content-type']).toBe('application/problem+json');
    expect(stale.body.detail).toMatch(/Nothing was replayed; dry-run again/);
    expect(forged.status).toBe(409);
    expect(calls.filter((c) => c.startsWith('replay'))).toEqual([`replay dry ${ID}`]);
  });

  it('says to use the CLI with the raw archive for letters whose record left the stream', async () => {
    const { ports } = fakePorts([stored()], 'not_found');
    const res = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [ID] });
    expect(res.body.results[0].outcome).toBe('not_found');
    expect(res.body.notes.join(' ')).toMatch(
      /left the stream.*npm run dead-letters -- replay ID\.\.\. --source archive/,
    );
  });

  it('takes two spellings of one letter id as one letter', async () => {
    const { ports, calls } = fakePorts([stored()]);
    const res = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [ID, `${ID}0`] });
    expect(res.body.letters).toBe(1);
    expect(calls.filter((c) => c.startsWith('replay'))).toEqual([`replay dry ${ID}`]);
  });

  it('lists the ids that name no letter, and leaves them out of the selection', async () => {
    const { ports } = fakePorts([stored()]);
    const res = await ops(ports, REPLAY, undefined, OPERATOR, { ids: [ID, OTHER] });
    expect(res.body.selection.missing).toEqual([OTHER]);
    expect(res.body.confirm).toBe(confirmToken([{ id: ID }]));
  });

  const tooMany = Array.from({ length: 101 }, (_, i) => `2026-12-01/shardId-000000000000/${i}/0`);
  it.each([
    ['ids and a range at once', { ids: [ID], from: '2026-12-01' }, 'ids', /not both.*from/],
    ['ids and a limit at once', { ids: [ID], limit: 5 }, 'ids', /not both.*limit/],
    ['101 ids', { ids: tooMany }, 'ids', /100/],
    ['no ids', { ids: [] }, 'ids', /./],
    ['a bad id', { ids: ['../../etc/passwd'] }, 'ids.0', /not a dead-letter id/],
    ['an id that is not a string', { ids: [42] }, 'ids.0', /./],
    ['a limit over 100', { limit: 101 }, 'limit', /100/],
    ['a limit as text', { limit: '5' }, 'limit', /./],
    ['63 days', { from: '2026-09-30', to: '2026-12-01' }, 'to', /at most 62 days/],
    ['an unknown reason', { reason: 'everything' }, 'reason', /./],
    ['dryRun as text', { dryRun: 'false' }, 'dryRun', /./],
    ['an unknown field', { ids: [ID], table: 'impact-aggregates' }, 'table', /unknown parameter/],
    ['a body that is not JSON', '{"ids": [', '(body)', /not a JSON document/],
    ['a body that is an array', '[]', '(request)', /./],
  ])(
    'refuses %s with a 400 problem naming it, replaying nothing',
    async (_what, body, name, reason) => {
      const { ports, calls } = fakePorts();
      const res = await ops(ports, REPLAY, undefined, OPERATOR, body);
      expect(res.status).toBe(400);
      expect(res.headers?.['content-type']).toBe('application/problem+json');
      const named = (res.body.errors as { name: string; reason: string }[]).find(
        (e) => e.name === name,
      );
      expect(named?.reason).toMatch(reason);
      expect(calls.filter((c) => c.startsWith('replay'))).toEqual([]);
    },
  );

  it('refuses query parameters on the replay and status routes', async () => {
    const { ports, calls } = fakePorts();
    const replay = await ops(ports, REPLAY, { dryRun: 'false' }, OPERATOR, { ids: [ID] });
    const status = await ops(ports, STATUS, { shard: 'x' }, OPERATOR);
    expect(replay.status).toBe(400);
    expect(status.status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe('Function: ops API, pipeline status', () => {
  it('answers the status as read', async () => {
    const { ports, calls } = fakePorts();
    const res = await ops(ports, STATUS, undefined, OPERATOR);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(STATUS_REPORT);
    expect(calls).toEqual(['status']);
  });
});

describe('Function: ops API, the replay log', () => {
  it('logs a replay that wrote with the operator who asked and what it counted; a dry run not', async () => {
    // Prepare
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      ...silentLogger,
      info: (message: string, fields?: Record<string, unknown>) => {
        logged.push({ message, ...(fields !== undefined && { fields }) });
      },
    };
    const { ports } = fakePorts();
    const handler = createOpsApiHandler(ports, { logger, today: () => TODAY });
    const send = async (body: unknown) =>
      JSON.parse(
        (
          (await handler(
            apiEvent(REPLAY, { claims: OPERATOR, body: JSON.stringify(body) }),
            {} as Context,
          )) as Result
        ).body ?? '{}',
      );
    const ids = ['2026-12-01/shardId-000000000000/4960/0'];
    // Act
    const plan = await send({ ids });
    await send({ ids, dryRun: false, confirm: plan.confirm });
    // Assess
    expect(logged.filter((l) => l.message === 'dead letters replayed')).toEqual([
      {
        message: 'dead letters replayed',
        fields: {
          requestId: 'req-123',
          operator: 'op1',
          letters: 1,
          counted: 1,
          duplicates: 0,
          deadLettered: 0,
        },
      },
    ]);
  });
});
