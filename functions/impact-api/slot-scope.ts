import { SLOT_MINUTES } from '#domain/aggregate-keys';
import { daysInclusive } from '#domain/calendar';
import { StoreCounters } from '#domain/counters';
import { storesToRead } from '#domain/hour-of-day';
import type { PersonPrincipal } from '#shared/principal';
import type { ImpactReader, ReadCost, SlotRead } from './impact-reader.js';
import { storeInScope, storeScopeFor } from './scope.js';

/** Most stores one region answer read slot by slot reads: its busiest in the period. */
export const MAX_SLOT_READ_STORES = 25;
/**
 * Most slot items one answer may read, counting each store at its worst case (every slot of
 * every day): about 4 store-months, a few thousand read units, well under a second of Query.
 */
export const MAX_SLOT_READ_ITEMS = 12_000;

const SLOTS_PER_DAY = (24 * 60) / SLOT_MINUTES;

/** The slots one answer reads, per store, and which stores those are. */
export interface ScopeSlots {
  readonly storeId: string | null;
  readonly region: string;
  readonly timeZone: string | null;
  /** Per store read, busiest first. */
  readonly slotsByStore: ReadonlyMap<string, readonly SlotRead[]>;
  readonly stores: string[];
  readonly truncated: boolean;
  readonly storesActive: number;
}

/**
 * The store slots of a store or of a region's busiest stores, for the answers read from the
 * slots at query time (hour of day, model quality). A store is scoped like its shrink series
 * (403 outside the token, 404 unknown). A region is scoped like the impact totals (403
 * outside the token; a store token asks by store) and reads its busiest stores, ranked from
 * the region rollup, within MAX_SLOT_READ_STORES and MAX_SLOT_READ_ITEMS; `truncated` says
 * when some were left out. Every read (the ranking's too) adds to `cost`.
 */
export async function readScopeSlots(
  principal: PersonPrincipal,
  query: {
    readonly from: string;
    readonly to: string;
    readonly storeId?: string;
    readonly region?: string;
  },
  reader: ImpactReader,
  cost: ReadCost,
): Promise<ScopeSlots> {
  if (query.storeId !== undefined) {
    const storeId = query.storeId;
    const store = await storeInScope(principal, storeId, reader);
    const slots = await reader.storeSlots(storeId, query.from, query.to, cost);
    return {
      storeId,
      region: store.region,
      timeZone: store.timeZone,
      slotsByStore: new Map([[storeId, slots]]),
      stores: [storeId],
      truncated: false,
      storesActive: slots.some((s) => (s.counters[StoreCounters.detections] ?? 0) > 0) ? 1 : 0,
    };
  }
  const region = query.region as string;
  storeScopeFor(principal, region);
  const rollup = await reader.storeRollup(region, query.from, query.to, cost);
  const active = new Map(
    [...rollup.byContributor]
      .map(([storeId, c]) => [storeId, c[StoreCounters.detections] ?? 0] as const)
      .filter(([, detections]) => detections > 0),
  );
  const { stores, truncated } = storesToRead(active, {
    maxStores: MAX_SLOT_READ_STORES,
    maxSlots: MAX_SLOT_READ_ITEMS,
    slotsPerStore: daysInclusive(query.from, query.to) * SLOTS_PER_DAY,
  });
  const reads = await Promise.all(
    stores.map((storeId) => reader.storeSlots(storeId, query.from, query.to, cost)),
  );
  return {
    storeId: null,
    region,
    timeZone: null,
    slotsByStore: new Map(stores.map((storeId, i) => [storeId, reads[i] ?? []])),
    stores,
    truncated,
    storesActive: active.size,
  };
}
