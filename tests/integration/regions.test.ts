import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRegisteredCoverage } from '../../functions/adapters/dynamodb-fleet-health.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { TABLES } from '../../functions/shared/resources.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

/** GET /v1/regions over the emulators' tables, for each role: the token decides the list. */
let env: Awaited<ReturnType<typeof freshEmulators>>;

const NY = 'America/New_York';
const STORES: StoreInfo[] = [
  { storeId: 'store-0001', region: 'us-east', timeZone: NY, lanes: 2 },
  { storeId: 'store-0002', region: 'us-east', timeZone: NY, lanes: 1 },
  { storeId: 'store-0003', region: 'uk', timeZone: 'Europe/London', lanes: 1 },
  { storeId: 'store-0004', region: 'de', timeZone: 'Europe/Berlin', lanes: 1 },
];

const regions = (claims: Record<string, string>) =>
  askImpactApi(env.dynamodb, '/v1/regions', {}, { claims });

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: STORES,
    devices: [],
  });
  await putRegisteredCoverage(env.dynamodb, TABLES.aggregates.localName, STORES, Date.now());
}, 60_000);

afterAll(() => env?.close());

describe('GET /v1/regions', () => {
  it('answers leadership every region with stores', async () => {
    const { status, body } = await regions({ sub: 'l', 'custom:role': 'leadership' });
    expect(status).toBe(200);
    expect(body).toEqual({
      role: 'leadership',
      all: true,
      regions: [
        { region: 'de', stores: 1 },
        { region: 'uk', stores: 1 },
        { region: 'us-east', stores: 2 },
      ],
      truncated: false,
    });
  });

  it("answers a region manager its token's regions only", async () => {
    const { status, body } = await regions({
      sub: 'r',
      'custom:role': 'region_manager',
      'custom:regions': 'uk,fr',
    });
    expect(status).toBe(200);
    expect(body.all).toBe(false);
    expect(body.regions).toEqual([
      { region: 'fr', stores: 0 },
      { region: 'uk', stores: 1 },
    ]);
  });

  it('answers a store manager the regions of its stores and nothing of other regions', async () => {
    const { status, body } = await regions({
      sub: 's',
      'custom:role': 'store_manager',
      'custom:stores': 'store-0001',
    });
    expect(status).toBe(200);
    expect(body.regions).toEqual([{ region: 'us-east', stores: 1 }]);
    expect(JSON.stringify(body)).not.toMatch(/uk|de"|store-0002/);
  });

  it('refuses an operator token and a query parameter', async () => {
    expect((await regions({ sub: 'o', 'custom:role': 'operator' })).status).toBe(403);
    const extra = await askImpactApi(
      env.dynamodb,
      '/v1/regions',
      { region: 'uk' },
      { claims: { sub: 'l', 'custom:role': 'leadership' } },
    );
    expect(extra.status).toBe(400);
  });
});
