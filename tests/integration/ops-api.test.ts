import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import type { DeadLetter } from '../../functions/domain/ports.js';
import { TABLES } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';

let stack: EmbeddedStack;
let dataDir: string;
let operator: string;
let leadership: string;

const TODAY = new Date().toISOString().slice(0, 10);
const EARLIER = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);

const letter = (over: Partial<DeadLetter> & Pick<DeadLetter, 'reason'>): DeadLetter => ({
  position: { shardId: 'shardId-000000000000', sequenceNumber: '4960', subSequenceNumber: 0 },
  detail: 'device panel-x is not registered',
  arrivedAt: `${TODAY}T10:00:00.000Z`,
  sizeBytes: 400,
  count: 1,
  ...over,
});

const UNKNOWN_DEVICE_ID = `${TODAY}/shardId-000000000000/4960/0`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-ops-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    archive: false,
  });
  operator = await stack.issuer.sign({ sub: 'on-call', 'custom:role': 'operator' }, 900);
  leadership = await stack.issuer.sign({ sub: 'lead', 'custom:role': 'leadership' }, 900);
  await new DynamoDbDeadLetters(stack.dynamodb, TABLES.deadLetters.localName).put([
    letter({
      reason: 'unknown_device',
      deviceId: 'panel-store-0042-lane-07',
      count: 3,
      subSequenceNumbers: [0, 1, 2],
      eventIds: [
        '01EV0000000000000000000001',
        '01EV0000000000000000000002',
        '01EV0000000000000000000003',
      ],
    }),
    letter({
      reason: 'clock_skew',
      deviceId: 'panel-store-0042-lane-08',
      eventId: '01EV0000000000000000000009',
      detail: 'occurredAt is 1,200 s ahead of arrival',
      position: { shardId: 'shardId-000000000000', sequenceNumber: '4970', subSequenceNumber: 0 },
    }),
    letter({
      reason: 'undecodable',
      detail: 'not gzip, not KPL, not JSON',
      arrivedAt: `${EARLIER}T23:59:00.000Z`,
      position: { shardId: 'shardId-000000000001', sequenceNumber: '12', subSequenceNumber: 0 },
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A GET with `token` (default the operator's; null: no Authorization header). */
async function get(path: string, token: string | null = operator) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('Integration: the ops API over HTTP on the embedded stack', () => {
  it("lists today's dead letters to an operator, with a count per reason", async () => {
    const res = await get('/v1/ops/dead-letters');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      period: { from: TODAY, to: TODAY },
      truncated: false,
      byReason: [
        { reason: 'unknown_device', letters: 1, records: 3 },
        { reason: 'clock_skew', letters: 1, records: 1 },
      ],
    });
    const letters = res.body.letters as Record<string, unknown>[];
    expect(letters.map((l) => l.id)).toEqual([
      UNKNOWN_DEVICE_ID,
      `${TODAY}/shardId-000000000000/4970/0`,
    ]);
    expect(letters[0]).toMatchObject({
      reason: 'unknown_device',
      deviceId: 'panel-store-0042-lane-07',
      count: 3,
      eventIdCount: 3,
      firstEventIds: [
        '01EV0000000000000000000001',
        '01EV0000000000000000000002',
        '01EV0000000000000000000003',
      ],
    });
  });

  it('filters by arrival dates, reason and device, and says when it stopped at the limit', async () => {
    const range = `from=${EARLIER}&to=${TODAY}`;
    const all = await get(`/v1/ops/dead-letters?${range}`);
    expect((all.body.letters as unknown[]).length).toBe(3);
    const byReason = await get(`/v1/ops/dead-letters?${range}&reason=undecodable`);
    expect((byReason.body.letters as { id: string }[]).map((l) => l.id)).toEqual([
      `${EARLIER}/shardId-000000000001/12/0`,
    ]);
    const byDevice = await get(`/v1/ops/dead-letters?deviceId=panel-store-0042-lane-08`);
    expect((byDevice.body.letters as { reason: string }[]).map((l) => l.reason)).toEqual([
      'clock_skew',
    ]);
    const limited = await get(`/v1/ops/dead-letters?${range}&limit=1`);
    expect(limited.body).toMatchObject({ truncated: true });
    expect((limited.body.letters as unknown[]).length).toBe(1);
  });

  it('explains one letter by its id, encoded or not: the whole letter and the advice', async () => {
    const encoded = await get(`/v1/ops/dead-letter?id=${encodeURIComponent(UNKNOWN_DEVICE_ID)}`);
    expect(encoded.status).toBe(200);
    expect(encoded.body).toMatchObject({
      letter: {
        id: UNKNOWN_DEVICE_ID,
        reason: 'unknown_device',
        detail: 'device panel-x is not registered',
        shardId: 'shardId-000000000000',
        sequenceNumber: '4960',
        subSequenceNumber: 0,
        eventIds: [
          '01EV0000000000000000000001',
          '01EV0000000000000000000002',
          '01EV0000000000000000000003',
        ],
      },
      advice: { recovery: 'rebuild_after_fix', fix: expect.stringContaining('npm run register') },
    });
    const raw = await get(`/v1/ops/dead-letter?id=${UNKNOWN_DEVICE_ID}`);
    expect(raw.body).toEqual(encoded.body);
  });

  it('answers a malformed id 400 and an unknown one 404, as problem documents', async () => {
    const malformed = await get('/v1/ops/dead-letter?id=../../etc/passwd');
    expect(malformed.status).toBe(400);
    expect(malformed.type).toBe('application/problem+json');
    expect(malformed.body.detail).toMatch(/^id: not a dead-letter id/);
    const unknown = await get(
      `/v1/ops/dead-letter?id=${encodeURIComponent(`${TODAY}/shardId-000000000000/1/0`)}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body.detail).toBe(`no dead letter ${TODAY}/shardId-000000000000/1/0`);
  });

  it.each([
    ['a huge limit', 'limit=1000000000', /^limit: .*1000/],
    ['a limit that is not a number', 'limit=all', /^limit: /],
    ['an impossible date', 'from=2026-02-30', /^from: must be a calendar date/],
    ['a date that is not one', 'to=yesterday', /^to: must be a calendar date/],
    ['a date out of range', 'from=1999-12-31&to=2000-01-01', /^from: must be from 2000-01-01/],
    ['63 days', 'from=2026-01-01&to=2026-03-04', /^to: at most 62 days .* is 63\)$/],
    ['from after to', 'from=2026-03-04&to=2026-03-01', /^to: must not be before from/],
    ['an unknown reason', 'reason=all', /^reason: /],
    ['an unknown parameter', 'table=impact-aggregates', /^table: unknown parameter$/],
  ])('refuses %s with a 400 problem whose detail names it', async (_what, query, detail) => {
    const res = await get(`/v1/ops/dead-letters?${query}`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, title: 'Invalid request parameters' });
    expect(res.body.detail).toMatch(detail);
  });

  it('accepts 62 days exactly', async () => {
    const res = await get('/v1/ops/dead-letters?from=2026-01-01&to=2026-03-03');
    expect(res.status).toBe(200);
    expect(res.body.period).toEqual({ from: '2026-01-01', to: '2026-03-03' });
  });

  it('refuses a leadership token (403), no token (401), and gives an operator no figures (403)', async () => {
    for (const path of ['/v1/ops/dead-letters', `/v1/ops/dead-letter?id=${UNKNOWN_DEVICE_ID}`]) {
      const lead = await get(path, leadership);
      expect(lead.status, path).toBe(403);
      expect(lead.body.detail).toBe('the ops routes answer operator tokens only');
      expect((await get(path, null)).status, path).toBe(401);
    }
    const figures = await get(`/v1/impact?from=${TODAY}&to=${TODAY}`, operator);
    expect(figures.status).toBe(403);
    expect(figures.body.detail).toMatch(/operator token reads the ops routes/);
  });

  it('reads the ops routes with an operator token from npm run token', async () => {
    // Prepare: the CLI signs with the stack's own dev issuer key (its data folder).
    const token = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'infra/local/token.ts', '--role', 'operator', '--data-dir', dataDir],
        { encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) =>
          error === null ? resolve(stdout.trim()) : reject(new Error(stderr)),
      );
    });
    // Act
    const res = await get('/v1/ops/dead-letters', token);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.byReason).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: 'clock_skew' })]),
    );
  });

  it('documents both ops routes in the OpenAPI document, with their response schemas', async () => {
    const res = await get('/openapi.json', null);
    const paths = res.body.paths as Record<string, { get: Record<string, unknown> }>;
    for (const path of ['/v1/ops/dead-letters', '/v1/ops/dead-letter']) {
      const op = paths[path]?.get as {
        parameters: { name: string }[];
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      };
      expect(op, path).toBeDefined();
      expect(op.responses['200']?.content?.['application/json']?.schema, path).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '404']),
      );
    }
    const list = paths['/v1/ops/dead-letters']?.get as { parameters: { name: string }[] };
    expect(list.parameters.map((p) => p.name).sort()).toEqual(
      ['deviceId', 'from', 'limit', 'reason', 'to'].sort(),
    );
  });
});
