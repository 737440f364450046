import { describe, expect, it } from 'vitest';
import type { CoverageSummary } from '../../functions/domain/fleet-health.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import type { ImpactReader } from '../../functions/impact-api/impact-reader.js';
import { MAX_REGIONS, regionsFor } from '../../functions/impact-api/regions-query.js';

const NY = 'America/New_York';
const STORES: StoreInfo[] = [
  { storeId: 's1', region: 'us-east', timeZone: NY },
  { storeId: 's2', region: 'us-east', timeZone: NY },
  { storeId: 's3', region: 'uk', timeZone: 'Europe/London' },
  { storeId: 's4', region: 'de', timeZone: 'Europe/Berlin' },
];

/** A reader of only what the route reads: coverage summaries and registry entries. */
function readerOf(stores: readonly StoreInfo[], calls: string[] = []): ImpactReader {
  const summary = (s: StoreInfo) => ({ storeId: s.storeId, region: s.region }) as CoverageSummary;
  return {
    async fleetCoverage(regions: readonly string[] | undefined) {
      calls.push(`coverage ${regions?.join(',') ?? '*'}`);
      return stores.filter((s) => regions?.includes(s.region) ?? true).map(summary);
    },
    async store(id: string) {
      calls.push(`store ${id}`);
      return stores.find((s) => s.storeId === id);
    },
  } as Partial<ImpactReader> as ImpactReader;
}

describe('regionsFor', () => {
  it('lists every region with stores for leadership, with counts, sorted, and all: true', async () => {
    const r = await regionsFor({ subject: 'u', role: 'leadership' }, readerOf(STORES));
    expect(r).toEqual({
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

  it("lists a region manager's token regions only, a storeless one with 0", async () => {
    const calls: string[] = [];
    const r = await regionsFor(
      { subject: 'u', role: 'region_manager', regions: ['us-east', 'fr'] },
      readerOf(STORES, calls),
    );
    expect(r.all).toBe(false);
    expect(r.regions).toEqual([
      { region: 'fr', stores: 0 },
      { region: 'us-east', stores: 2 },
    ]);
    expect(calls).toEqual(['coverage us-east,fr']);
  });

  it("lists a store manager's stores' regions, counting only its stores, from the registry", async () => {
    const calls: string[] = [];
    const r = await regionsFor(
      { subject: 'u', role: 'store_manager', stores: ['s1', 's3', 'unknown'] },
      readerOf(STORES, calls),
    );
    expect(r.regions).toEqual([
      { region: 'uk', stores: 1 },
      { region: 'us-east', stores: 1 },
    ]);
    expect(r.all).toBe(false);
    // Never the organisation's coverage: the answer cannot name a region it has no store in.
    expect(calls.filter((c) => c.startsWith('coverage'))).toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it('lists nothing for a store manager whose token names no store', async () => {
    const r = await regionsFor(
      { subject: 'u', role: 'store_manager', stores: [] },
      readerOf(STORES),
    );
    expect(r.regions).toEqual([]);
  });

  it(`cuts the list at ${MAX_REGIONS} regions and says truncated`, async () => {
    const many = Array.from({ length: MAX_REGIONS + 1 }, (_, i) => ({
      storeId: `s${i}`,
      region: `r${String(i).padStart(4, '0')}`,
      timeZone: NY,
    }));
    const r = await regionsFor({ subject: 'u', role: 'leadership' }, readerOf(many));
    expect(r.regions).toHaveLength(MAX_REGIONS);
    expect(r.regions[0]?.region).toBe('r0000');
    expect(r.truncated).toBe(true);
  });
});
