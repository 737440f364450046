import { DETECTION_CATEGORIES } from '#contract';
import { hourOfDayTable } from '#domain/hour-of-day';
import type { PersonPrincipal } from '#shared/principal';
import { type ImpactReader, noReadCost } from './impact-reader.js';
import type { HourOfDayQuery } from './query-params.js';
import type { HourOfDayResponse } from './response-schemas.js';
import { readScopeSlots } from './slot-scope.js';

/**
 * When loss happens, by store-local hour of day and category, read from the store slots at
 * query time (no rollup: one would add bytes to every hot-path write for a view read rarely),
 * of a store or a region's busiest stores (slot-scope.ts). `cost` is what every read of the
 * answer (the ranking's too) cost, as DynamoDB reported it.
 */
export async function hourOfDayFor(
  principal: PersonPrincipal,
  query: HourOfDayQuery,
  reader: ImpactReader,
  currency: string,
): Promise<HourOfDayResponse> {
  const cost = noReadCost();
  const read = await readScopeSlots(principal, query, reader, cost);
  return {
    period: { from: query.from, to: query.to },
    storeId: read.storeId,
    region: read.region,
    timeZone: read.timeZone,
    currency,
    categories: [...DETECTION_CATEGORIES],
    hours: hourOfDayTable([...read.slotsByStore.values()].flat()),
    stores: read.stores,
    truncated: read.truncated,
    storesActive: read.storesActive,
    cost,
  };
}
