import type { Counters } from '#domain/counters';
import {
  addModelCounts,
  busiestLanes,
  busiestModels,
  detectionsOf,
  FLAG_RULE,
  falsePositiveRate,
  laneCounts,
  laneFlagged,
  modelCounts,
  modelKey,
  OTHER,
  type QualityCounts,
  qualityFigures,
  totalOf,
  versionQuality,
} from '#domain/model-quality';
import type { PersonPrincipal } from '#shared/principal';
import { type ImpactReader, noReadCost, type SlotRead } from './impact-reader.js';
import type { ModelQualityQuery, StoreLanesQuery } from './query-params.js';
import type { ModelQualityResponse, StoreLanesResponse } from './response-schemas.js';
import { storeInScope } from './scope.js';
import { readScopeSlots } from './slot-scope.js';

type ModelCounts = Map<string, Map<string, QualityCounts>>;
type ModelCountsView = ReadonlyMap<string, ReadonlyMap<string, QualityCounts>>;

const countersOf = (slots: readonly SlotRead[]): Counters[] => slots.map((s) => s.counters);

/** Model keys, most detections first (then by name), OTHER last. */
function byDetections(counts: ModelCountsView): string[] {
  return [...counts.keys()].sort(
    (a, b) =>
      (a === OTHER ? 1 : 0) - (b === OTHER ? 1 : 0) ||
      detectionsOf(counts.get(b)) - detectionsOf(counts.get(a)) ||
      a.localeCompare(b),
  );
}

/**
 * Model quality by version and category, read from the store slots at query time (their
 * slot-only counters, model-quality.ts) of a store or a region's busiest stores
 * (slot-scope.ts). With `compare`, each of the two versions again over only the stores read
 * that ran both in the period, which is the like-for-like answer to "did b do better than a".
 */
export async function modelQualityFor(
  principal: PersonPrincipal,
  query: ModelQualityQuery,
  reader: ImpactReader,
  currency: string,
): Promise<ModelQualityResponse> {
  const cost = noReadCost();
  const read = await readScopeSlots(principal, query, reader, cost);
  const perStore = new Map(
    [...read.slotsByStore].map(([storeId, slots]) => [storeId, modelCounts(countersOf(slots))]),
  );
  const all: ModelCounts = new Map();
  for (const counts of perStore.values()) addModelCounts(all, counts);
  const listed = busiestModels(all);
  let compare: ModelQualityResponse['compare'] = null;
  if (query.compare !== undefined) {
    const [a, b] = query.compare.map((v) => modelKey({ name: v.model, version: v.version })) as [
      string,
      string,
    ];
    const storesWithBoth = [...perStore]
      .filter(([, c]) => detectionsOf(c.get(a)) > 0 && detectionsOf(c.get(b)) > 0)
      .map(([storeId]) => storeId);
    const both: ModelCounts = new Map();
    for (const storeId of storesWithBoth)
      addModelCounts(both, perStore.get(storeId) as ModelCounts);
    compare = {
      a: versionQuality(a, both.get(a)),
      b: versionQuality(b, both.get(b)),
      storesWithBoth,
    };
  }
  return {
    period: { from: query.from, to: query.to },
    storeId: read.storeId,
    region: read.region,
    currency,
    versions: byDetections(listed).map((key) => versionQuality(key, listed.get(key))),
    compare,
    stores: read.stores,
    truncated: read.truncated,
    storesActive: read.storesActive,
    cost,
  };
}

const laneOrder = (a: string, b: string) =>
  (a === OTHER ? 1 : 0) - (b === OTHER ? 1 : 0) || a.localeCompare(b, 'en', { numeric: true });

/**
 * Detections and the false-positive rate per lane of a store, from its slots' slot-only lane
 * counters, each lane flagged by FLAG_RULE against the store's own rate (over its lanes).
 * Scoped like the store's shrink series: 403 outside the token, 404 unknown.
 */
export async function storeLanesFor(
  principal: PersonPrincipal,
  storeId: string,
  query: StoreLanesQuery,
  reader: ImpactReader,
  currency: string,
): Promise<StoreLanesResponse> {
  const store = await storeInScope(principal, storeId, reader);
  const cost = noReadCost();
  const lanes = laneCounts(
    countersOf(await reader.storeSlots(storeId, query.from, query.to, cost)),
  );
  const total = totalOf(lanes.values());
  const storeRate = falsePositiveRate(total);
  const listed = busiestLanes(lanes);
  return {
    period: { from: query.from, to: query.to },
    storeId,
    region: store.region,
    currency,
    store: { detections: total.detections, falsePositiveRate: storeRate },
    lanes: [...listed.keys()].sort(laneOrder).map((laneId) => {
      const {
        detections,
        outcomes,
        falsePositiveRate: rate,
      } = qualityFigures(listed.get(laneId) as QualityCounts);
      return {
        laneId,
        detections,
        outcomes,
        falsePositiveRate: rate,
        flagged: laneId !== OTHER && laneFlagged(outcomes, storeRate),
      };
    }),
    flagRule: FLAG_RULE,
    cost,
  };
}
