import { addCounters, type Counters } from '#domain/counters';
import type { PersonPrincipal } from '#shared/principal';
import { forbidden, notFound } from '#shared/problem';
import type { ImpactReader, RollupRead, TotalsRead } from './impact-reader.js';

/** The stores a store-figure query covers, decided from the token alone. */
export type StoreScope =
  | { readonly kind: 'organisation' }
  | { readonly kind: 'regions'; readonly regions: readonly string[] }
  | { readonly kind: 'stores'; readonly stores: readonly string[] };

/**
 * What a principal may read of store figures, narrowed by an optional `region` parameter. A
 * region outside the token's scope is refused (403) rather than silently answered with less.
 */
export function storeScopeFor(principal: PersonPrincipal, region: string | undefined): StoreScope {
  switch (principal.role) {
    case 'leadership':
      return region === undefined
        ? { kind: 'organisation' }
        : { kind: 'regions', regions: [region] };
    case 'region_manager':
      if (region !== undefined && !principal.regions.includes(region))
        throw forbidden('this token does not cover that region');
      return { kind: 'regions', regions: region === undefined ? principal.regions : [region] };
    case 'store_manager':
      if (region !== undefined) throw forbidden('a store token cannot query by region');
      return { kind: 'stores', stores: principal.stores };
  }
}

/**
 * The registry entry of a store the token covers: 403 before any read for a store manager's
 * other stores, 403 for a region manager's store elsewhere (or unknown: it learns nothing), 404
 * for an unknown store otherwise.
 */
export async function storeInScope(
  principal: PersonPrincipal,
  storeId: string,
  reader: ImpactReader,
): Promise<NonNullable<Awaited<ReturnType<ImpactReader['store']>>>> {
  if (principal.role === 'store_manager' && !principal.stores.includes(storeId)) {
    throw forbidden('this token does not cover that store');
  }
  const store = await reader.store(storeId);
  if (
    principal.role === 'region_manager' &&
    (store === undefined || !principal.regions.includes(store.region))
  ) {
    throw forbidden('this token does not cover that store');
  }
  if (store === undefined) throw notFound(`no store ${storeId}`);
  return store;
}

/** Only leadership reads organisation-wide team figures. */
export function requireLeadership(principal: PersonPrincipal, what: string): void {
  if (principal.role !== 'leadership') throw forbidden(`${what} are visible to leadership only`);
}

function mergeTotals(reads: readonly TotalsRead[]): TotalsRead {
  const totals: Counters = {};
  const byPeriod = new Map<string, Counters>();
  for (const read of reads) {
    addCounters(totals, read.totals);
    for (const [period, counters] of read.byPeriod) {
      byPeriod.set(period, addCounters(byPeriod.get(period) ?? {}, counters));
    }
  }
  return { totals, byPeriod };
}

function merge(reads: readonly RollupRead[]): RollupRead {
  const totals: Counters = {};
  const byContributor = new Map<string, Counters>();
  const byPeriod = new Map<string, Counters>();
  for (const read of reads) {
    addCounters(totals, read.totals);
    for (const [id, counters] of read.byContributor) {
      byContributor.set(id, addCounters(byContributor.get(id) ?? {}, counters));
    }
    for (const [period, counters] of read.byPeriod) {
      byPeriod.set(period, addCounters(byPeriod.get(period) ?? {}, counters));
    }
  }
  return { totals, byContributor, byPeriod };
}

/** Store figures over a period for a scope: totals and per store. */
export async function readStoreFigures(
  scope: StoreScope,
  from: string,
  to: string,
  reader: ImpactReader,
): Promise<RollupRead> {
  switch (scope.kind) {
    case 'organisation':
      return reader.storeRollup(undefined, from, to);
    case 'regions':
      return merge(await Promise.all(scope.regions.map((r) => reader.storeRollup(r, from, to))));
    case 'stores': {
      const reads = await Promise.all(
        scope.stores.map(async (storeId): Promise<RollupRead> => {
          const days = await reader.storeDays(storeId, from, to);
          const sum: Counters = {};
          for (const c of days.values()) addCounters(sum, c);
          return { totals: sum, byContributor: new Map([[storeId, sum]]), byPeriod: days };
        }),
      );
      return merge(reads);
    }
  }
}

/**
 * Store totals over a period for a scope, without the per-store figures: from the rollups'
 * totals copies for an organisation or regions, from the store days for a store scope.
 */
export async function readStoreTotals(
  scope: StoreScope,
  from: string,
  to: string,
  reader: ImpactReader,
): Promise<TotalsRead> {
  switch (scope.kind) {
    case 'organisation':
      return reader.storeTotals(undefined, from, to);
    case 'regions':
      return mergeTotals(
        await Promise.all(scope.regions.map((r) => reader.storeTotals(r, from, to))),
      );
    case 'stores':
      return readStoreFigures(scope, from, to, reader);
  }
}
