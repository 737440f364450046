import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionEvent, Outcome, TelemetryEvent } from '#contract';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { FLAG_RULE } from '../../functions/domain/model-quality.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { REGION_MANAGER, STORE_MANAGER } from '../helpers/api-events.js';
import { processorOn } from '../helpers/emulator-processor.js';
import {
  detection,
  NOON,
  outcome,
  REGISTRY,
  streamRecords,
  testKeys,
} from '../helpers/factories.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
const PERIOD = { from: '2026-06-14', to: '2026-06-16' };
const V41 = { name: 'shrink-vision', version: '4.1.0' };
const V42 = { name: 'shrink-vision', version: '4.2.1' };

/** store-0003: a second us-east store, which runs 4.2.1 only. */
const STORE_3 = { storeId: 'store-0003', region: 'us-east', timeZone: 'America/New_York' };
const PANEL_3 = {
  deviceId: 'panel-store-0003-lane-01',
  kind: 'panel' as const,
  storeId: 'store-0003',
  keys: testKeys('panel-store-0003-lane-01'),
};

// Detections are spread over the minutes before NOON: the records arrive at NOON, and an event
// is counted only up to minutes ahead of its arrival.
let minute = 0;
/** `n` detections on one lane under one model, each with an outcome (FP for the first `fp`). */
function lane(
  storeId: string,
  laneId: string,
  model: DetectionEvent['model'],
  n: number,
  fp: number,
  options: { outcomeFirst?: number } = {},
): TelemetryEvent[] {
  const deviceId = `panel-${storeId}-lane-01`;
  return Array.from({ length: n }, (_, i) => {
    const at = NOON - minute++ * 60_000;
    const d = detection({
      deviceId,
      storeId,
      laneId,
      model,
      detectionId: ulid(at),
      occurredAt: new Date(at).toISOString(),
      estimatedLossCents: 1_000,
    });
    const kind: Outcome = i < fp ? 'false_positive' : 'recovered';
    const o = outcome(d, { outcome: kind, recoveredCents: kind === 'recovered' ? 800 : 0 });
    return i < (options.outcomeFirst ?? 0) ? [o, d] : [d, o];
  }).flat();
}

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values(), STORE_3],
    devices: [...REGISTRY.devices.values(), PANEL_3],
  });
  const events = [
    ...lane('store-0001', 'lane-01', V41, 10, 6),
    ...lane('store-0001', 'lane-02', V42, 10, 2, { outcomeFirst: 3 }),
    ...lane('store-0001', 'lane-03', V42, 12, 12),
    ...lane('store-0003', 'lane-01', V42, 5, 0),
    ...lane('store-0002', 'lane-01', V41, 4, 1),
  ];
  const result = await processBatch(streamRecords(events), processorOn(env.dynamodb));
  expect(result.failedSequenceNumbers).toEqual([]);
});
afterAll(async () => {
  await env?.close();
});

const quality = (query: Record<string, string>, claims?: Record<string, string>) =>
  askImpactApi(env.dynamodb, '/v1/model-quality', { ...PERIOD, ...query }, { claims });
const lanes = (
  storeId: string,
  query: Record<string, string> = {},
  claims?: Record<string, string>,
) =>
  askImpactApi(
    env.dynamodb,
    '/v1/stores/{storeId}/lanes',
    { ...PERIOD, ...query },
    { claims, pathParameters: { storeId } },
  );

describe('Integration: GET /v1/model-quality on the DynamoDB emulator', () => {
  it("answers a region's versions by category, and compares two over the stores that ran both", async () => {
    const { status, body } = await quality({
      region: 'us-east',
      compare: 'shrink-vision@4.1.0,shrink-vision@4.2.1',
    });

    expect(status).toBe(200);
    expect(body.stores).toEqual(['store-0001', 'store-0003']);
    expect(body.versions.map((v: { version: string }) => v.version)).toEqual(['4.2.1', '4.1.0']);
    const [v42, v41] = body.versions;
    // 4.2.1 in both stores: 10 + 12 + 5 detections, 14 false positives of 27.
    expect(v42.total).toEqual({
      detections: 27,
      outcomes: { recovered: 13, confirmed_loss: 0, false_positive: 14, open: 0 },
      falsePositiveRate: 14 / 27,
      lossPreventedCents: 13 * 800,
      lossPreventedPerDetectionCents: Math.round((13 * 800) / 27),
    });
    expect(v41.total).toMatchObject({ detections: 10, falsePositiveRate: 0.6 });
    expect(
      v41.categories.find((c: { category: string }) => c.category === 'missed_scan'),
    ).toMatchObject({
      detections: 10,
    });
    // Like for like: store-0003 ran 4.2.1 only, so b is store-0001's 4.2.1 alone.
    expect(body.compare.storesWithBoth).toEqual(['store-0001']);
    expect(body.compare.a).toMatchObject({ model: 'shrink-vision', version: '4.1.0' });
    expect(body.compare.a.total).toMatchObject({ detections: 10, falsePositiveRate: 0.6 });
    expect(body.compare.b.total).toMatchObject({ detections: 22, falsePositiveRate: 14 / 22 });
    expect(body.cost.itemsRead).toBeGreaterThan(0);
    expect(body.cost.readUnits).toBeGreaterThan(0);
  });

  it('answers one store without a comparison when none is asked', async () => {
    const { status, body } = await quality({ storeId: 'store-0003' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ storeId: 'store-0003', region: 'us-east', compare: null });
    expect(body.versions).toHaveLength(1);
    expect(body.versions[0].total).toMatchObject({ detections: 5, falsePositiveRate: 0 });
  });

  it('scopes by the token: its own store or region, 403 for the others', async () => {
    expect((await quality({ storeId: 'store-0001' }, STORE_MANAGER)).status).toBe(200);
    expect((await quality({ storeId: 'store-0002' }, STORE_MANAGER)).status).toBe(403);
    expect((await quality({ region: 'us-east' }, STORE_MANAGER)).status).toBe(403);
    expect((await quality({ region: 'us-east' }, REGION_MANAGER)).status).toBe(200);
    expect((await quality({ region: 'uk' }, REGION_MANAGER)).status).toBe(403);
    expect((await quality({ storeId: 'store-0002' }, REGION_MANAGER)).status).toBe(403);
  });

  it('refuses bad parameters with a clear 400', async () => {
    for (const [compare, message] of [
      ['shrink-vision@4.1.0', 'two versions'],
      ['shrink-vision@4.1.0,shrink-vision@4.1.0', 'two different versions'],
      ['shrink-vision,shrink-vision@4.2.1', 'name@version'],
      ['a@b,c@d,e@f', 'two versions'],
    ] as const) {
      const r = await quality({ region: 'us-east', compare });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain(message);
    }
    const long = await quality({ storeId: 'store-0001', from: '2026-05-01', to: '2026-06-16' });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('longer than 31 days');
    expect((await quality({ storeId: 'store-9999' })).status).toBe(404);
  });
});

describe('Integration: GET /v1/stores/{storeId}/lanes on the DynamoDB emulator', () => {
  it("answers each lane's figures and flags the lane far above its store's false-positive rate", async () => {
    const { status, body } = await lanes('store-0001');

    expect(status).toBe(200);
    expect(body).toMatchObject({ storeId: 'store-0001', region: 'us-east', flagRule: FLAG_RULE });
    // 20 false positives of 32 resolved.
    expect(body.store).toEqual({ detections: 32, falsePositiveRate: 20 / 32 });
    expect(body.lanes).toEqual([
      {
        laneId: 'lane-01',
        detections: 10,
        outcomes: { recovered: 4, confirmed_loss: 0, false_positive: 6, open: 0 },
        falsePositiveRate: 0.6,
        flagged: false,
      },
      {
        laneId: 'lane-02',
        detections: 10,
        outcomes: { recovered: 8, confirmed_loss: 0, false_positive: 2, open: 0 },
        falsePositiveRate: 0.2,
        flagged: false,
      },
      {
        laneId: 'lane-03',
        detections: 12,
        outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 12, open: 0 },
        falsePositiveRate: 1,
        flagged: true,
      },
    ]);
    expect(body.cost.queries).toBe(1);
  });

  it('scopes by the token and refuses a long period', async () => {
    expect((await lanes('store-0001', {}, STORE_MANAGER)).status).toBe(200);
    expect((await lanes('store-0002', {}, STORE_MANAGER)).status).toBe(403);
    expect((await lanes('store-0002', {}, REGION_MANAGER)).status).toBe(403);
    expect((await lanes('store-9999')).status).toBe(404);
    const long = await lanes('store-0001', { from: '2026-05-01', to: '2026-06-16' });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('longer than 31 days');
  });
});
