import type { CoverageSummary } from '#domain/fleet-health';
import type { PersonPrincipal } from '#shared/principal';
import type { ImpactReader } from './impact-reader.js';
import type { RegionsResponse } from './response-schemas.js';

/** The most regions one answer lists; more are cut and the answer says `truncated`. */
export const MAX_REGIONS = 500;

/**
 * The regions a token may pick from, each with its count of stores, decided from the token
 * alone. Leadership: every region with a registered store, from the coverage partition (the
 * one Query `/v1/impact` already makes for the organisation). A region manager: the token's
 * regions, counted from those regions' coverage (a region without stores yet is listed with
 * 0). A store manager: the regions of the token's own stores, from the registry (one GetItem
 * per store, bounded by the token's list), counting only those stores, so the answer tells
 * nothing about any other store or region.
 */
export async function regionsFor(
  principal: PersonPrincipal,
  reader: ImpactReader,
): Promise<RegionsResponse> {
  switch (principal.role) {
    case 'leadership':
      return regionList(principal, countByRegion(await reader.fleetCoverage(undefined)), true);
    case 'region_manager': {
      const counts = countByRegion(await reader.fleetCoverage(principal.regions));
      for (const r of principal.regions) counts.set(r, counts.get(r) ?? 0);
      return regionList(principal, counts, false);
    }
    case 'store_manager': {
      const infos = await Promise.all(principal.stores.map((id) => reader.store(id)));
      const counts = new Map<string, number>();
      for (const info of infos) {
        if (info !== undefined) counts.set(info.region, (counts.get(info.region) ?? 0) + 1);
      }
      return regionList(principal, counts, false);
    }
  }
}

/** Stores per region of these coverage summaries. */
export function countByRegion(summaries: readonly CoverageSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of summaries) counts.set(s.region, (counts.get(s.region) ?? 0) + 1);
  return counts;
}

function regionList(
  principal: PersonPrincipal,
  counts: ReadonlyMap<string, number>,
  all: boolean,
): RegionsResponse {
  const regions = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([region, stores]) => ({ region, stores }));
  return {
    role: principal.role,
    all,
    regions: regions.slice(0, MAX_REGIONS),
    truncated: regions.length > MAX_REGIONS,
  };
}
