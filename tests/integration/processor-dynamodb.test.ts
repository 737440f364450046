import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DetectionEvent } from '#contract';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import {
  DynamoDbRegistry,
  putRegistryEntries,
} from '../../functions/adapters/dynamodb-registry.js';
import { unpackHomeState } from '../../functions/adapters/home-codec.js';
import { TEAM_WEEK_PARTS } from '../../functions/domain/aggregate-keys.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type { AggregateStore } from '../../functions/domain/ports.js';
import { isItemTooLarge, processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { ensureTable } from '../../infra/local/provision.js';
import { CrashingStore } from '../helpers/crashing-store.js';
import {
  detection,
  incident,
  NOON,
  outcome,
  REGISTRY,
  streamRecords,
} from '../helpers/factories.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { allItems, freshEmulators, itemBytes, itemCounters } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;

beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

// Each test (and each crash point) writes to tables of its own.
let aggregatesTable = '';
let deadLetterTable = '';
let tableCount = 0;
async function freshTables() {
  tableCount++;
  aggregatesTable = `${TABLES.aggregates.localName}-${tableCount}`;
  deadLetterTable = `${TABLES.deadLetters.localName}-${tableCount}`;
  await ensureTable(env.dynamodb, TABLES.aggregates, aggregatesTable);
  await ensureTable(env.dynamodb, TABLES.deadLetters, deadLetterTable);
}

beforeEach(async () => {
  await freshTables();
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
});

function depsWith(aggregates: AggregateStore) {
  return {
    aggregates,
    registry: new DynamoDbRegistry(env.dynamodb, TABLES.registry.localName),
    deadLetters: new DynamoDbDeadLetters(env.dynamodb, deadLetterTable),
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
  };
}

const realStore = () => new DynamoDbAggregateStore(env.dynamodb, aggregatesTable);

function batch() {
  const d1 = detection({ estimatedLossCents: 3_000 });
  const d2 = detection({
    deviceId: 'panel-store-0002-lane-01',
    storeId: 'store-0002',
    category: 'shelf_sweep',
    estimatedLossCents: 20_000,
  });
  return [
    d1,
    outcome(d2, { outcome: 'confirmed_loss', recoveredCents: 5_000 }),
    d2,
    outcome(d1),
    incident(),
    d1,
  ];
}

describe('Integration: processor on the DynamoDB emulator', () => {
  it('ends with the same items after a crash between any two writes and a retry', async () => {
    // Prepare: a clean run's items.
    const events = batch();
    const clean = new CrashingStore(realStore());
    await processBatch(streamRecords(events), depsWith(clean));
    const expected = await allItems(env.dynamodb, aggregatesTable);
    const writes = clean.writes;

    for (let crashAt = 0; crashAt < writes; crashAt++) {
      await freshTables();
      // Act
      const store = new CrashingStore(realStore());
      store.crashAfterWrites(crashAt);
      const records = streamRecords(events);
      const first = await processBatch(records, depsWith(store));
      store.heal();
      const lowest = records.findIndex((r) =>
        first.failedSequenceNumbers.includes(r.sequenceNumber),
      );
      const retry = await processBatch(records.slice(lowest), depsWith(store));

      // Assess
      expect(retry.failedSequenceNumbers).toEqual([]);
      expect(await allItems(env.dynamodb, aggregatesTable)).toEqual(expected);
    }
  });

  it('keeps totals exact with two invocations racing on the same items', async () => {
    const left = Array.from({ length: 40 }, () => detection({ estimatedLossCents: 100 }));
    const right = Array.from({ length: 40 }, () =>
      detection({
        deviceId: 'panel-store-0002-lane-01',
        storeId: 'store-0002',
        estimatedLossCents: 1,
      }),
    );
    const results = await Promise.all([
      processBatch(
        streamRecords([...left.slice(0, 20), ...right.slice(0, 20)], {
          shardId: 'shardId-000000000000',
        }),
        depsWith(realStore()),
      ),
      processBatch(
        streamRecords([...left.slice(20), ...right.slice(20)], { shardId: 'shardId-000000000001' }),
        depsWith(realStore()),
      ),
    ]);
    expect(results.flatMap((r) => r.failedSequenceNumbers)).toEqual([]);
    const items = await allItems(env.dynamodb, aggregatesTable);
    const sum = (prefix: string, skPrefix = '') =>
      items
        .filter((i) => i.pk?.S?.startsWith(prefix) && i.sk?.S?.startsWith(skPrefix))
        .reduce((s, i) => s + (itemCounters(i).lossDetectedCents ?? 0), 0);
    expect(sum('STORE#', 'SLOT#')).toBe(4_040);
    expect(sum('STORE#', 'DAY#')).toBe(4_040);
    expect(sum('ROLLUP#ORG#DAY#')).toBe(4_040);
    expect(sum('ROLLUP#REGION#')).toBe(4_040);
    // The totals copies, which /v1/impact reads, hold the same (racing shards included).
    expect(sum('TOTALS#ORG#DAY')).toBe(4_040);
    expect(sum('TOTALS#REGION#')).toBe(4_040);
  });

  it('counts a store day of 12,000 detections, past what one 400 KB item could join', async () => {
    // Prepare: one store, detections spread over 12 hours of its (New York) day.
    const start = Date.UTC(2026, 5, 15, 14); // 10:00 local
    const events = Array.from({ length: 12_000 }, (_, i) =>
      detection({
        detectionId: ulid(start + Math.floor((i * 12 * 3_600_000) / 12_000)),
        occurredAt: new Date(start + Math.floor((i * 12 * 3_600_000) / 12_000)).toISOString(),
        estimatedLossCents: 100,
      }),
    );
    // Each arrives as it is made, at most 100 s after its detection.
    const records = streamRecords(events).map((r, i) => ({
      ...r,
      arrivedAt: start + Math.floor((i * 12 * 3_600_000) / 12_000) + 100_000,
    }));

    // Act
    for (let i = 0; i < records.length; i += 1_000) {
      const result = await processBatch(records.slice(i, i + 1_000), depsWith(realStore()));
      expect(result.failedSequenceNumbers).toEqual([]);
      expect(result.stats.deadLettered).toBe(0);
    }

    // Assess: the day adds up, and no item comes near the limit.
    const items = await allItems(env.dynamodb, aggregatesTable);
    const day = items.find((i) => i.sk?.S === 'DAY#2026-06-15');
    expect(day?.detections?.N).toBe('12000');
    expect(day?.lossDetectedCents?.N).toBe('1200000');
    const slots = items.filter((i) => i.sk?.S?.startsWith('SLOT#2026-06-15T'));
    expect(slots).toHaveLength(48);
    const largest = Math.max(...items.map(itemBytes));
    expect(largest).toBeLessThan(64 * 1024);
  });

  it('counts a team week of 16,000 incidents, past what one 400 KB item could join', async () => {
    // Prepare: one team, incidents resolved over five days of one ISO week (2026-W25).
    const start = Date.UTC(2026, 5, 15, 8);
    const at = (i: number) => start + Math.floor((i * 5 * 86_400_000) / 16_000);
    const events = Array.from({ length: 16_000 }, (_, i) =>
      incident({
        incidentId: `inc-${ulid(at(i)).toLowerCase()}`,
        openedAt: new Date(at(i) - 600_000).toISOString(),
        resolvedAt: new Date(at(i)).toISOString(),
        occurredAt: new Date(at(i)).toISOString(),
        engineerMinutes: 0,
      }),
    );
    const records = streamRecords(events).map((r, i) => ({ ...r, arrivedAt: at(i) + 60_000 }));

    // Act
    for (let i = 0; i < records.length; i += 1_000) {
      const result = await processBatch(records.slice(i, i + 1_000), depsWith(realStore()));
      expect(result.failedSequenceNumbers).toEqual([]);
      expect(result.stats.deadLettered).toBe(0);
    }

    // Assess: the week adds up in its summary and its rollup, and no item comes near the limit.
    const items = await allItems(env.dynamodb, aggregatesTable);
    const week = items.find((i) => i.pk?.S === 'TEAM#team-pos' && i.sk?.S === 'WEEK#2026-W25');
    expect(week?.incidents?.N).toBe('16000');
    expect(week?.minutesSaved?.N).toBe(String(16_000 * 90));
    const parts = items.filter((i) => i.sk?.S?.startsWith('PART#2026-W25#'));
    expect(parts).toHaveLength(TEAM_WEEK_PARTS);
    expect(parts.reduce((sum, p) => sum + (itemCounters(p).incidents ?? 0), 0)).toBe(16_000);
    const rollups = items.filter((i) => i.pk?.S?.startsWith('ROLLUP#ORG#WEEK#'));
    expect(rollups.reduce((sum, r) => sum + Number(r.incidents?.N ?? 0), 0)).toBe(16_000);
    const largest = Math.max(...items.map(itemBytes));
    expect(largest).toBeLessThan(64 * 1024);
  });

  it('writes home items with their expiry, and dead-letters a late event once its home has expired', async () => {
    // Prepare: homes kept 49 days after their period (a 35-day horizon, 7 days of stream, a
    // week's margin), written at the batch's noon.
    const retention = 49 * 86_400_000;
    const store = new DynamoDbAggregateStore(env.dynamodb, aggregatesTable, {
      homeRetentionMs: retention,
      now: () => NOON,
    });
    await processBatch(streamRecords(batch()), depsWith(store));
    const items = await allItems(env.dynamodb, aggregatesTable);
    const slots = items.filter((i) => i.sk?.S?.startsWith('SLOT#'));
    const parts = items.filter((i) => i.sk?.S?.startsWith('PART#'));

    // Assess: each home expires 49 days after its period's end (a store date + 2 days, an ISO
    // week's Monday + 8); nothing else expires.
    const june15 = Date.UTC(2026, 5, 15);
    for (const slot of slots)
      expect(Number(slot.expiresAt?.N)).toBe((june15 + 2 * 86_400_000 + retention) / 1000);
    for (const part of parts)
      expect(Number(part.expiresAt?.N)).toBe((june15 + 8 * 86_400_000 + retention) / 1000);
    expect(slots.length + parts.length).toBeGreaterThan(0);
    expect(items.filter((i) => i.expiresAt !== undefined)).toHaveLength(
      slots.length + parts.length,
    );

    // Act: time to live deletes store-0001's slot; a late second outcome for its detection
    // comes in.
    const [d1] = batch().filter((e) => e.type === 'detection');
    const slot = slots.find((i) => i.pk?.S === 'STORE#store-0001');
    await env.dynamodb.send(
      new DeleteItemCommand({
        TableName: aggregatesTable,
        Key: { pk: { S: slot?.pk?.S ?? '' }, sk: { S: slot?.sk?.S ?? '' } },
      }),
    );
    const before = (await allItems(env.dynamodb, aggregatesTable)).filter(
      (i) => !i.sk?.S?.startsWith('SLOT#'),
    );
    const late = await processBatch(
      streamRecords([
        outcome(d1 as DetectionEvent, { outcome: 'false_positive', recoveredCents: 0 }),
      ]),
      depsWith(store),
    );

    // Assess: dead-lettered as too_old, nothing rewritten, and the slot is not recreated.
    expect(late.failedSequenceNumbers).toEqual([]);
    expect(late.stats).toMatchObject({ counted: 0, deadLettered: 1 });
    const letters = await allItems(env.dynamodb, deadLetterTable);
    expect(letters.map((l) => l.reason?.S)).toEqual(['too_old']);
    expect(await allItems(env.dynamodb, aggregatesTable)).toEqual(expect.arrayContaining(before));
    expect(
      (await allItems(env.dynamodb, aggregatesTable)).filter(
        (i) => i.pk?.S === 'STORE#store-0001' && i.sk?.S?.startsWith('SLOT#'),
      ),
    ).toEqual([]);
  });

  it('keeps registry entries a minute, then forgets devices it no longer sees', async () => {
    // Prepare: a registry with its own clock.
    let now = 1_000_000;
    const registry = new DynamoDbRegistry(
      env.dynamodb,
      TABLES.registry.localName,
      undefined,
      () => now,
    );
    const [first, second] = [...REGISTRY.devices.keys()];

    // Act and assess: both known, then only the one still sending is held.
    const both = await registry.load([first as string, second as string], ['store-0001']);
    expect([...both.devices.keys()].sort()).toEqual([first, second].sort());
    expect(registry.cachedEntries).toBe(3);
    now += 61_000;
    const one = await registry.load([first as string], []);
    expect([...one.devices.keys()]).toEqual([first]);
    expect(registry.cachedEntries).toBe(1);
  });

  it('stores dead letters keyed by stream position, without the payload, idempotently', async () => {
    const records = streamRecords([
      detection(),
      '{"faceEmbedding": [0.1, 0.2]',
      { ...detection(), image: 'AAAA' },
    ]);
    await processBatch(records, depsWith(realStore()));
    await processBatch(records, depsWith(realStore()));
    const letters = await allItems(env.dynamodb, deadLetterTable);
    expect(letters).toHaveLength(2);
    expect(letters.map((l) => l.reason?.S).sort()).toEqual(['schema_violation', 'undecodable']);
    expect(letters.find((l) => l.reason?.S === 'schema_violation')?.detail?.S).toContain('image');
    expect(JSON.stringify(letters)).not.toContain('0.1, 0.2');
    expect(
      letters.every(
        (l) => l.sequenceNumber?.S !== undefined && l.shardId?.S === 'shardId-000000000000',
      ),
    ).toBe(true);
  });

  it('carries on from a store slot of the earlier layout (seen and joins as maps) and packs it', async () => {
    // Prepare: a detection counted, then its slot rewritten as the release before packing
    // wrote it (seen and joins as DynamoDB maps of strings, no packed attribute).
    const d1 = detection({ estimatedLossCents: 3_000 });
    await processBatch(streamRecords([d1]), depsWith(realStore()));
    const slot = (await allItems(env.dynamodb, aggregatesTable)).find((i) =>
      i.sk?.S?.startsWith('SLOT#'),
    );
    if (slot === undefined) throw new Error('no store slot written');
    const { seen, joins } = unpackHomeState(slot);
    const { packed: _, ...rest } = slot;
    await env.dynamodb.send(
      new PutItemCommand({
        TableName: aggregatesTable,
        Item: {
          ...rest,
          seen: { M: Object.fromEntries([...seen].map(([d, v]) => [d, { S: v.toString() }])) },
          joins: { M: Object.fromEntries([...joins].map(([id, j]) => [id, { S: j }])) },
        },
      }),
    );

    // Act: the same detection again (a resend) and its outcome.
    const result = await processBatch(
      streamRecords([d1, outcome(d1, { outcome: 'confirmed_loss', recoveredCents: 1_000 })]),
      depsWith(realStore()),
    );

    // Assess: the resend found in the old maps, the outcome joined to the old estimate, and
    // the slot written back packed.
    expect(result.failedSequenceNumbers).toEqual([]);
    const items = await allItems(env.dynamodb, aggregatesTable);
    const day = items.find((i) => i.sk?.S?.startsWith('DAY#'));
    expect(day?.detections?.N).toBe('1');
    expect(day?.outcomes?.N).toBe('1');
    expect(day?.confirmedLossCents?.N).toBe('2000');
    const after = items.find((i) => i.sk?.S === slot.sk?.S);
    expect(after?.packed?.B).toBeDefined();
    expect(after?.seen).toBeUndefined();
    expect(after?.joins).toBeUndefined();
  });

  it('recognises the emulator refusing a store slot past 400 KB as an item-size error', async () => {
    const home = emptyHome(
      { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '12:00' },
      'us-east',
    );
    // Joins as real detections make them (random ULIDs, assorted figures), so that packing
    // cannot shrink them under the limit: about 23 bytes each once packed.
    const joins = new Map(
      Array.from({ length: 24_000 }, (_, i) => [
        ulid(Date.parse('2026-06-15T12:00:00Z') + i),
        `${(i * 7_919) % 20_000}|confirmed_loss|${(i * 104_729) % 9_000}`,
      ]),
    );
    const error = await realStore()
      .putHome({ ...home, version: 1, joins }, 0)
      .catch((e: unknown) => e);
    expect(isItemTooLarge(error)).toBe(true);
  });
});
