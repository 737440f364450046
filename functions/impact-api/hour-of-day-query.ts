import { DETECTION_CATEGORIES } from '#contract';
import { SLOT_MINUTES } from '#domain/aggregate-keys';
import { daysInclusive } from '#domain/calendar';
import { StoreCounters } from '#domain/counters';
import { hourOfDayTable, type SlotCounters, storesToRead } from '#domain/hour-of-day';
import type { PersonPrincipal } from '#shared/principal';
import { type ImpactReader, noReadCost } from './impact-reader.js';
import type { HourOfDayQuery } from './query-params.js';
import type { HourOfDayResponse } from './response-schemas.js';
import { storeInScope, storeScopeFor } from './scope.js';

/** Most stores one region table reads: its busiest in the period. */
export const MAX_HOUR_OF_DAY_STORES = 25;
/**
 * Most slot items one answer may read, counting each store at its worst case (every slot of
 * every day): about 4 store-months, a few thousand read units, well under a second of Query.
 */
export const MAX_HOUR_OF_DAY_SLOTS = 12_000;

const SLOTS_PER_DAY = (24 * 60) / SLOT_MINUTES;

/**
 * When loss happens, by store-local hour of day and category, read from the store slots at
 * query time (no rollup: one would add bytes to every hot-path write for a view read rarely).
 * A store is scoped like its shrink series (403 outside the token, 404 unknown). A region is
 * scoped like the impact totals (403 outside the token; a store token asks by store) and
 * reads its busiest stores, ranked from the region rollup, within MAX_HOUR_OF_DAY_STORES and
 * MAX_HOUR_OF_DAY_SLOTS; `truncated` says when some were left out. `cost` is what every read
 * of the answer (the ranking's too) cost, as DynamoDB reported it.
 */
export async function hourOfDayFor(
  principal: PersonPrincipal,
  query: HourOfDayQuery,
  reader: ImpactReader,
  currency: string,
): Promise<HourOfDayResponse> {
  const cost = noReadCost();
  const period = { from: query.from, to: query.to };
  const table = (slots: SlotCounters[]) => ({
    categories: [...DETECTION_CATEGORIES],
    hours: hourOfDayTable(slots),
  });
  if (query.storeId !== undefined) {
    const storeId = query.storeId;
    const store = await storeInScope(principal, storeId, reader);
    const slots = await reader.storeSlots(storeId, query.from, query.to, cost);
    return {
      period,
      storeId,
      region: store.region,
      timeZone: store.timeZone,
      currency,
      ...table(slots),
      stores: [storeId],
      truncated: false,
      storesActive: slots.some((s) => (s.counters[StoreCounters.detections] ?? 0) > 0) ? 1 : 0,
      cost,
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
    maxStores: MAX_HOUR_OF_DAY_STORES,
    maxSlots: MAX_HOUR_OF_DAY_SLOTS,
    slotsPerStore: daysInclusive(query.from, query.to) * SLOTS_PER_DAY,
  });
  const reads = await Promise.all(
    stores.map((storeId) => reader.storeSlots(storeId, query.from, query.to, cost)),
  );
  return {
    period,
    storeId: null,
    region,
    timeZone: null,
    currency,
    ...table(reads.flat()),
    stores,
    truncated,
    storesActive: active.size,
    cost,
  };
}
