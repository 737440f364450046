import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { REGION_MANAGER } from '../helpers/api-events.js';
import { processorOn } from '../helpers/emulator-processor.js';
import { detection, outcome, REGISTRY, streamRecords } from '../helpers/factories.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
const PERIOD = { from: '2026-06-14', to: '2026-06-16' };
const VALUATION = {
  loadedHourlyRateCents: 5_000,
  pipelineMonthlyCostCents: 365_000, // 12,000 a day
  costSource: 'configured',
  costSourceDetail: 'configured',
} as const;

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
  const walkout = detection({ category: 'walkout', estimatedLossCents: 40_000 });
  const result = await processBatch(
    streamRecords([walkout, outcome(walkout, { recoveredCents: 30_000 })]),
    processorOn(env.dynamodb),
  );
  expect(result.failedSequenceNumbers).toEqual([]);
});
afterAll(async () => {
  await env?.close();
});

describe('GET /v1/net-impact over the emulators', () => {
  it('nets the same loss prevented /v1/impact reads against the running cost for the days', async () => {
    const [impact, net] = await Promise.all([
      askImpactApi(env.dynamodb, '/v1/impact', PERIOD),
      askImpactApi(env.dynamodb, '/v1/net-impact', PERIOD, { valuation: VALUATION }),
    ]);
    expect(impact.status).toBe(200);
    expect(net.status).toBe(200);
    const lossPrevented = impact.body.shrink.lossPreventedCents;
    expect(lossPrevented).toBeGreaterThan(0);
    expect(net.body).toMatchObject({
      lossPreventedCents: lossPrevented,
      hoursSaved: impact.body.hoursSaved.hoursSaved,
      pipelineCostCents: 36_000,
      netImpactCents:
        lossPrevented + Math.round(impact.body.hoursSaved.hoursSaved * 5_000) - 36_000,
      assumptions: { costSource: 'configured', pipelineMonthlyCostCents: 365_000 },
    });
  });

  it('refuses a region manager, and answers 503 with no running cost configured', async () => {
    const region = await askImpactApi(env.dynamodb, '/v1/net-impact', PERIOD, {
      claims: REGION_MANAGER,
      valuation: VALUATION,
    });
    expect(region.status).toBe(403);
    const unconfigured = await askImpactApi(env.dynamodb, '/v1/net-impact', PERIOD);
    expect(unconfigured.status).toBe(503);
  });
});
