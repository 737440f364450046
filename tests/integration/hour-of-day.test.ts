import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { processorOn } from '../helpers/emulator-processor.js';
import { detection, NOON, outcome, REGISTRY, streamRecords } from '../helpers/factories.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
const PERIOD = { from: '2026-06-14', to: '2026-06-16' };
const at = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
  // A detection is homed by the instant in its id: 12:00Z is 08:00 in New York (EDT) and 13:00
  // in London (BST); 11:30Z is 07:30 in New York.
  const walkout = detection({ category: 'walkout', estimatedLossCents: 4_000 });
  const events = [
    walkout,
    outcome(walkout, { recoveredCents: 1_500 }),
    detection({
      occurredAt: at(NOON - 30 * 60_000),
      detectionId: ulid(NOON - 30 * 60_000),
      estimatedLossCents: 250,
    }),
    detection({
      deviceId: 'panel-store-0002-lane-01',
      storeId: 'store-0002',
      laneId: 'lane-01',
      category: 'shelf_sweep',
      estimatedLossCents: 900,
    }),
  ];
  const result = await processBatch(streamRecords(events), processorOn(env.dynamodb));
  expect(result.failedSequenceNumbers).toEqual([]);
});
afterAll(async () => {
  await env?.close();
});

const ask = (query: Record<string, string>, claims?: Record<string, string>) =>
  askImpactApi(env.dynamodb, '/v1/hour-of-day', { ...PERIOD, ...query }, { claims });

describe('Integration: GET /v1/hour-of-day on the DynamoDB emulator', () => {
  it("answers a store's local hours by category from its slots, with what the read cost", async () => {
    // Act
    const { status, body } = await ask({ storeId: 'store-0001' });

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      storeId: 'store-0001',
      region: 'us-east',
      timeZone: 'America/New_York',
      stores: ['store-0001'],
      truncated: false,
    });
    expect(body.hours).toHaveLength(24);
    expect(body.hours[8]).toMatchObject({
      hour: 8,
      detections: 1,
      lossDetectedCents: 4_000,
      lossPreventedCents: 1_500,
      detectionsByCategory: { walkout: 1, missed_scan: 0 },
    });
    expect(body.hours[7]).toMatchObject({
      detections: 1,
      lossDetectedCents: 250,
      lossPreventedCents: 0,
      detectionsByCategory: { walkout: 0, missed_scan: 1 },
    });
    const others = body.hours.filter((h: { hour: number }) => h.hour !== 7 && h.hour !== 8);
    expect(others.every((h: { detections: number }) => h.detections === 0)).toBe(true);
    // Two slots (07:30 and 08:00), one Query page; dynalite bills like DynamoDB.
    expect(body.cost.itemsRead).toBe(2);
    expect(body.cost.queries).toBe(1);
    expect(body.cost.readUnits).toBeGreaterThan(0);
  });

  it("answers a region's busiest stores in their own local hours, the ranking's read counted", async () => {
    const { status, body } = await ask({ region: 'uk' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ region: 'uk', storeId: null, timeZone: null });
    expect(body.stores).toEqual(['store-0002']);
    expect(body.storesActive).toBe(1);
    expect(body.hours[13]).toMatchObject({
      detections: 1,
      lossDetectedCents: 900,
      detectionsByCategory: { shelf_sweep: 1 },
    });
    // 4 region rollup shard queries and 1 slot query.
    expect(body.cost.queries).toBe(5);
    expect(body.cost.itemsRead).toBeGreaterThanOrEqual(2);
  });

  it('scopes by the token: its own store or region, 403 for the others', async () => {
    expect((await ask({ storeId: 'store-0001' }, STORE_MANAGER)).status).toBe(200);
    expect((await ask({ storeId: 'store-0002' }, STORE_MANAGER)).status).toBe(403);
    expect((await ask({ region: 'us-east' }, STORE_MANAGER)).status).toBe(403);
    expect((await ask({ region: 'us-east' }, REGION_MANAGER)).status).toBe(200);
    expect((await ask({ region: 'uk' }, REGION_MANAGER)).status).toBe(403);
    expect((await ask({ storeId: 'store-0002' }, REGION_MANAGER)).status).toBe(403);
  });

  it('refuses bad parameters with a clear 400', async () => {
    const both = await ask({ storeId: 'store-0001', region: 'uk' });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('exactly one of storeId and region');
    expect((await askImpactApi(env.dynamodb, '/v1/hour-of-day', PERIOD)).status).toBe(400);
    const long = await ask({ storeId: 'store-0001', from: '2026-05-01', to: '2026-06-16' });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('longer than 31 days');
    expect((await ask({ storeId: 'store-9999' })).status).toBe(404);
  });
});
