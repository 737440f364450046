import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import {
  DynamoDbRegistry,
  putRegistryEntries,
} from '../../functions/adapters/dynamodb-registry.js';
import { unpackContributors } from '../../functions/adapters/rollup-codec.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type { AggregateStore } from '../../functions/domain/ports.js';
import { createImpactApiHandler } from '../../functions/impact-api/create-handler.js';
import { DynamoDbImpactReader } from '../../functions/impact-api/impact-reader.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { ensureTable } from '../../infra/local/provision.js';
import { apiEvent, LEADERSHIP } from '../helpers/api-events.js';
import { CrashingStore } from '../helpers/crashing-store.js';
import { detection, outcome, REGISTRY, streamRecords, testKeys } from '../helpers/factories.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { allItems, freshEmulators } from '../helpers/local-dynamodb.js';

/** A test store (StoreInfo.test) in the same region as store-0001, so both rollups are in play. */
const TEST_STORE = 'smoke-dev-it';
const TEST_PANEL = `panel-${TEST_STORE}`;
const PERIOD = { from: '2026-06-14', to: '2026-06-16' };

let env: Awaited<ReturnType<typeof freshEmulators>>;
let aggregatesTable = '';
let tableCount = 0;

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [
      ...REGISTRY.stores.values(),
      { storeId: TEST_STORE, region: 'us-east', timeZone: 'America/New_York', test: true },
    ],
    devices: [
      ...REGISTRY.devices.values(),
      { deviceId: TEST_PANEL, kind: 'panel', storeId: TEST_STORE, keys: testKeys(TEST_PANEL) },
    ],
  });
});
afterAll(async () => {
  await env?.close();
});

beforeEach(async () => {
  tableCount++;
  aggregatesTable = `${TABLES.aggregates.localName}-test-store-${tableCount}`;
  await ensureTable(env.dynamodb, TABLES.aggregates, aggregatesTable);
});

function depsWith(aggregates: AggregateStore) {
  return {
    aggregates,
    registry: new DynamoDbRegistry(env.dynamodb, TABLES.registry.localName),
    deadLetters: new DynamoDbDeadLetters(env.dynamodb, TABLES.deadLetters.localName),
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
  };
}

/** A real store's detection and outcome, and a test store's, in one batch. */
function mixedBatch() {
  const real = detection({ estimatedLossCents: 3_000 });
  const test = detection({
    deviceId: TEST_PANEL,
    storeId: TEST_STORE,
    category: 'walkout',
    estimatedLossCents: 777,
  });
  return [real, test, outcome(real, { recoveredCents: 1_000 }), outcome(test)];
}

async function get(routeKey: string, pathParameters?: Record<string, string>, region?: string) {
  const handler = createImpactApiHandler(
    new DynamoDbImpactReader(env.dynamodb, aggregatesTable, TABLES.registry.localName),
    'USD',
    silentLogger,
  );
  const res = await handler(
    apiEvent(routeKey, {
      query: { ...PERIOD, ...(region !== undefined && { region }) },
      ...(pathParameters !== undefined && { pathParameters }),
      claims: LEADERSHIP,
    }),
    {} as Context,
  );
  expect(res.statusCode, String(res.body)).toBe(200);
  return JSON.parse(String(res.body)) as Record<string, unknown>;
}

describe('Integration: a test store on the DynamoDB emulator', () => {
  it('counts its events in its own store days and in no organisation or region figure', async () => {
    // Act
    const result = await processBatch(streamRecords(mixedBatch()), depsWith(realStore()));

    // Assess
    expect(result.failedSequenceNumbers).toEqual([]);
    const own = await get('GET /v1/stores/{storeId}/shrink', { storeId: TEST_STORE });
    expect(own.total).toMatchObject({ detections: 1, lossDetectedCents: 777 });
    const real = await get('GET /v1/stores/{storeId}/shrink', { storeId: 'store-0001' });
    expect(real.total).toMatchObject({ detections: 1, lossDetectedCents: 3_000 });
    for (const region of [undefined, 'us-east']) {
      const impact = await get('GET /v1/impact', undefined, region);
      expect(impact.shrink).toMatchObject({
        detections: 1,
        lossDetectedCents: 3_000,
        lossPreventedCents: 1_000,
      });
    }
    const board = await get('GET /v1/stores');
    expect((board.stores as { storeId: string }[]).map((s) => s.storeId)).toEqual(['store-0001']);
  });

  it('keeps it out of every rollup after a crash between any two writes and a retry', async () => {
    // Prepare: a clean run's items, none of which names the test store as a rollup contributor.
    const events = mixedBatch();
    const clean = new CrashingStore(realStore());
    await processBatch(streamRecords(events), depsWith(clean));
    const expected = await allItems(env.dynamodb, aggregatesTable);
    const rollups = expected.filter((i) => i.pk?.S?.startsWith('ROLLUP#'));
    expect(rollups.length).toBeGreaterThan(0);
    for (const rollup of rollups) {
      expect([...unpackContributors(rollup).keys()]).not.toContain(TEST_STORE);
    }

    for (let crashAt = 0; crashAt < clean.writes; crashAt++) {
      tableCount++;
      aggregatesTable = `${TABLES.aggregates.localName}-test-store-${tableCount}`;
      await ensureTable(env.dynamodb, TABLES.aggregates, aggregatesTable);
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
});

const realStore = () => new DynamoDbAggregateStore(env.dynamodb, aggregatesTable);
