import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '#simulator';
import { signRecord } from '#wire';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import { DynamoDbRegistry } from '../../functions/adapters/dynamodb-registry.js';
import { countersOf } from '../../functions/adapters/item-codec.js';
import { readArchive } from '../../functions/archive/read-archive.js';
import { rebuildFromRecords } from '../../functions/archive/rebuild.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import type { HoursSavedBaselines } from '../../functions/domain/hours-saved.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { LocalSigners, localSeedFile } from '../../infra/local/local-signers.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import { ensureTable } from '../../infra/local/provision.js';
import { eventually } from '../helpers/eventually.js';
import { allItems } from '../helpers/local-dynamodb.js';
import { readStream } from '../helpers/stream-reader.js';

let stack: EmbeddedStack;
let dataDir: string;
let truth: GroundTruth;
let leadership: string;

const today = new Date();
const day = (offset: number) =>
  new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-2)}&to=${day(1)}`;

async function get(path: string, token?: string) {
  const res = await fetch(
    `${stack.apiUrl}${path}`,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-e2e-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });
  leadership = await stack.issuer.sign({ sub: 'e2e', 'custom:role': 'leadership' }, 600);
  ({ truth } = await runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: 6,
    rate: 3_000,
    seed: 7,
    maxEvents: 3_000,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'simulator', 'ground-truth.json'),
    spoolDir: join(dataDir, 'simulator', 'spool'),
  }));
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('End to end: edge producer -> Kinesis -> processor -> DynamoDB -> impact API', () => {
  it('answers organisation totals equal to the simulator ground truth, to the cent and the minute', async () => {
    expect(truth.eventsSent).toBeGreaterThanOrEqual(3_000);
    expect(truth.resends).toBeGreaterThan(0);
    const body = await eventually(async () => {
      const res = await get(`/v1/impact?${PERIOD}`, leadership);
      expect(res.status).toBe(200);
      expect(res.body.shrink).toMatchObject(truth.shrink);
      expect(res.body.hoursSaved).toMatchObject(truth.hours);
      return res.body;
    });
    expect((body.shrink as { detections: number }).detections).toBe(truth.shrink.detections);
  });

  it('answers every store day equal to the ground truth', async () => {
    for (const [storeId, days] of Object.entries(truth.storeDays)) {
      const res = await get(`/v1/stores/${storeId}/shrink?${PERIOD}`, leadership);
      expect(res.status).toBe(200);
      const series = res.body.series as { period: string }[];
      for (const [date, expected] of Object.entries(days)) {
        expect(series.find((d) => d.period === date)).toMatchObject(expected);
      }
    }
  });

  it('ranks every store with its ground-truth totals on the leaderboard, across pages', async () => {
    const expected = new Map(
      Object.entries(truth.storeDays).map(([storeId, days]) => [
        storeId,
        Object.values(days).reduce((s, d) => s + d.lossPreventedCents, 0),
      ]),
    );
    const seen = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const res = await get(
        `/v1/stores?${PERIOD}&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`,
        leadership,
      );
      expect(res.status).toBe(200);
      for (const s of res.body.stores as { storeId: string; lossPreventedCents: number }[])
        seen.set(s.storeId, s.lossPreventedCents);
      cursor = res.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
  });

  it('lists every team, and their hours saved add up to the ground truth', async () => {
    const res = await get(`/v1/teams?${PERIOD}`, leadership);
    const teams = res.body.teams as { minutesSaved: number; incidents: number }[];
    expect(teams.reduce((s, t) => s + t.minutesSaved, 0)).toBe(truth.hours.minutesSaved);
    expect(teams.reduce((s, t) => s + t.incidents, 0)).toBe(truth.hours.incidents);
  });

  it('serves the OpenAPI document and docs page without a token', async () => {
    const doc = await fetch(`${stack.apiUrl}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty([
      '/v1/stores',
    ]);
    expect((await fetch(`${stack.apiUrl}/docs`)).headers.get('content-type')).toContain(
      'text/html',
    );
  });

  it('archives every raw record, and rebuilds identical aggregates from the archive', async () => {
    // Prepare: the archive holds every record of the stream.
    const total = (await readStream(stack.kinesis, TELEMETRY_STREAM.localName)).length;
    await eventually(async () =>
      expect([...readArchive(stack.archiveDir)].length).toBeGreaterThanOrEqual(total),
    );
    const deps = (table: string, baselines: HoursSavedBaselines) => ({
      aggregates: new DynamoDbAggregateStore(stack.dynamodb, table),
      registry: new DynamoDbRegistry(stack.dynamodb, TABLES.registry.localName),
      deadLetters: new DynamoDbDeadLetters(stack.dynamodb, TABLES.deadLetters.localName),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      fold: { baselines },
      eventTime: DEFAULT_EVENT_TIME_RULES,
    });
    await ensureTable(stack.dynamodb, TABLES.aggregates, 'rebuilt-same');
    await ensureTable(stack.dynamodb, TABLES.aggregates, 'rebuilt-generous');

    // Act: once with today's rules, once with every baseline 30 minutes longer.
    await rebuildFromRecords(
      readArchive(stack.archiveDir),
      deps('rebuilt-same', DEFAULT_BASELINES),
    );
    const generous = {
      defaultMinutes: DEFAULT_BASELINES.defaultMinutes + 30,
      classes: Object.fromEntries(
        Object.entries(DEFAULT_BASELINES.classes).map(([k, v]) => [k, v + 30]),
      ),
    };
    await rebuildFromRecords(readArchive(stack.archiveDir), deps('rebuilt-generous', generous));

    // Assess: same counters in every item (versions differ: the batches did).
    const counters = async (table: string) =>
      (await allItems(stack.dynamodb, table)).map((item) => [
        item.pk?.S,
        item.sk?.S,
        countersOf(item),
      ]);
    const live = await counters(TABLES.aggregates.localName);
    expect(await counters('rebuilt-same')).toEqual(live);
    const minutes = async (table: string) =>
      (await allItems(stack.dynamodb, table))
        .filter((i) => i.pk?.S?.startsWith('TEAM#') && i.sk?.S?.startsWith('WEEK#'))
        .reduce((s, i) => s + Number(i.minutesSaved?.N ?? 0), 0);
    expect(await minutes('rebuilt-same')).toBe(truth.hours.minutesSaved);
    expect(await minutes('rebuilt-generous')).toBeGreaterThan(truth.hours.minutesSaved);
  });

  it('processes signed records from a plain Kinesis client the same way, and dead-letters malformed and unsigned ones', async () => {
    // Prepare: two good events from a registered panel PC, signed with its key (the local
    // fleet's, from the stack's seed), four bad records between them: three signed, one not.
    const before = (await get(`/v1/impact?${PERIOD}`, leadership)).body.shrink as {
      detections: number;
      lossDetectedCents: number;
    };
    const now = Date.now();
    const good = [1, 2].map((n) => ({
      schemaVersion: 1,
      type: 'detection',
      eventId: ulid(now),
      deviceId: 'panel-store-0001-lane-01',
      occurredAt: new Date(now).toISOString(),
      seq: now * 1000 + 900_000 + n,
      storeId: 'store-0001',
      detectionId: ulid(now),
      laneId: 'lane-01',
      category: 'walkout',
      confidence: 0.8,
      estimatedLossCents: 10_000 * n,
      model: { name: 'shrink-vision', version: '4.2.1' },
    }));
    const bad = [
      'not json at all',
      JSON.stringify({ ...good[0], seq: 1, faceEmbedding: [0.3] }),
      JSON.stringify({ ...good[0], seq: 2, storeId: 'store-0002' }),
    ];

    // Act
    const lane = LocalSigners.open(localSeedFile(dataDir)).signer('panel-store-0001-lane-01');
    const signed = (r: string | object) =>
      signRecord(Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)), lane);
    const unsigned = Buffer.from(JSON.stringify({ ...good[0], seq: 3, eventId: ulid() }));
    const response = await stack.kinesis.send(
      new PutRecordsCommand({
        StreamName: TELEMETRY_STREAM.localName,
        Records: [
          signed(good[0] as object),
          ...bad.map(signed),
          unsigned,
          signed(good[1] as object),
        ].map((data) => ({
          Data: data,
          PartitionKey: 'panel-store-0001-lane-01',
        })),
      }),
    );
    expect(response.FailedRecordCount).toBe(0);

    // Assess
    await eventually(async () => {
      const after = (await get(`/v1/impact?${PERIOD}`, leadership)).body.shrink as typeof before;
      expect(after.detections - before.detections).toBe(2);
      expect(after.lossDetectedCents - before.lossDetectedCents).toBe(30_000);
    });
    const letters = await eventually(async () => {
      const items = await allItems(stack.dynamodb, TABLES.deadLetters.localName);
      expect(items).toHaveLength(4);
      return items;
    });
    expect(letters.map((l) => l.reason?.S).sort()).toEqual([
      'schema_violation',
      'store_mismatch',
      'undecodable',
      'unsigned',
    ]);
    expect(letters.map((l) => l.detail?.S).join(' ')).toContain('faceEmbedding');
    // Poison never reached Lambda's on-failure destination: nothing was retried to exhaustion.
    expect(existsSync(stack.onFailureFile) ? readFileSync(stack.onFailureFile, 'utf8') : '').toBe(
      '',
    );
  });

  it('refuses requests without a valid token (401) and bad parameters (400 problem+json)', async () => {
    expect((await get(`/v1/impact?${PERIOD}`)).status).toBe(401);
    expect((await get(`/v1/impact?${PERIOD}`, `${leadership}x`)).status).toBe(401);
    const bad = await get('/v1/impact?from=yesterday&to=2026-01-01', leadership);
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
    expect(bad.body.errors).toEqual([
      { name: 'from', reason: 'must be a calendar date (YYYY-MM-DD)' },
    ]);
  });

  it("keeps a store manager's token to its own stores", async () => {
    const manager = await stack.issuer.sign(
      { sub: 'm1', 'custom:role': 'store_manager', 'custom:stores': 'store-0001' },
      600,
    );
    expect((await get(`/v1/stores/store-0001/shrink?${PERIOD}`, manager)).status).toBe(200);
    expect((await get(`/v1/stores/store-0002/shrink?${PERIOD}`, manager)).status).toBe(403);
  });
});
