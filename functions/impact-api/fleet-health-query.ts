import {
  byAttention,
  type CoverageSummary,
  coverageSummary,
  type StoreHealth,
  type StoreHealthReport,
  storeHealthReport,
} from '#domain/fleet-health';
import type { OperatorPrincipal, PersonPrincipal } from '#shared/principal';
import { invalidParameters } from '#shared/problem';
import type { ImpactReader } from './impact-reader.js';
import type { FleetHealthQuery } from './query-params.js';
import type { FleetHealthResponse } from './response-schemas.js';
import { type StoreScope, storeScopeFor } from './scope.js';

/** Items one answer reads, whatever the scope: a region's stores, at most. */
const MAX_READ = 5_000;

/**
 * Fleet health in the token's scope: a region (leadership and operators name one; the
 * organisation's is read region by region), a region manager's regions, or a store manager's stores. Stores
 * worst first; the summary covers every store read.
 */
export async function fleetHealthFor(
  principal: PersonPrincipal | OperatorPrincipal,
  query: FleetHealthQuery,
  reader: ImpactReader,
  now: number,
): Promise<FleetHealthResponse> {
  // An operator runs the pipeline for every store: fleet health as leadership reads it.
  const scope = storeScopeFor(
    principal.role === 'operator' ? { subject: principal.subject, role: 'leadership' } : principal,
    query.region,
  );
  let items: StoreHealth[] = [];
  let truncated = false;
  switch (scope.kind) {
    case 'organisation':
      throw invalidParameters([
        {
          name: 'region',
          reason: 'required for a leadership token: fleet health is read one region at a time',
        },
      ]);
    case 'regions':
      for (const region of scope.regions) {
        const read = await reader.fleetHealth(region, MAX_READ - items.length);
        items.push(...read.stores);
        truncated ||= read.truncated;
        if (items.length >= MAX_READ) {
          truncated ||= region !== scope.regions.at(-1);
          break;
        }
      }
      break;
    case 'stores':
      items = await healthOfStores(scope.stores, reader);
      break;
  }
  const reports = items.map((h) => storeHealthReport(h, now)).sort(byAttention);
  const listed = reports.filter((r) => query.only === 'all' || r.attention);
  return {
    asOf: new Date(now).toISOString(),
    scope: {
      role: principal.role,
      ...(principal.role === 'region_manager' && { regions: [...principal.regions] }),
      ...(principal.role === 'store_manager' && { stores: [...principal.stores] }),
    },
    summary: summaryOf(reports),
    stores: listed.slice(0, query.limit).map((r) => ({
      ...r,
      silent: [...r.silent],
      models: [...r.models],
      errors: [...r.errors],
      gapDays: [...r.gapDays],
      daemonVersions: { ...r.daemonVersions },
    })),
    truncated: truncated || listed.length > query.limit,
  };
}

/** These stores' fleet health items, each found under its registered region. */
export async function healthOfStores(
  storeIds: readonly string[],
  reader: ImpactReader,
): Promise<StoreHealth[]> {
  const infos = await Promise.all(storeIds.map((id) => reader.store(id)));
  return reader.storesHealth(
    infos.flatMap((s) => (s === undefined ? [] : [{ storeId: s.storeId, region: s.region }])),
  );
}

/**
 * The coverage summaries of a scope's stores: one Query of the coverage partition for the
 * organisation or a region, the stores' own health items for a store manager.
 */
export async function scopeSummaries(
  scope: StoreScope,
  reader: ImpactReader,
): Promise<CoverageSummary[]> {
  if (scope.kind === 'stores') {
    return (await healthOfStores(scope.stores, reader)).map(coverageSummary);
  }
  return reader.fleetCoverage(scope.kind === 'organisation' ? undefined : scope.regions);
}

function summaryOf(reports: readonly StoreHealthReport[]): FleetHealthResponse['summary'] {
  const versions: Record<string, number> = {};
  for (const r of reports) {
    for (const [v, n] of Object.entries(r.daemonVersions)) versions[v] = (versions[v] ?? 0) + n;
  }
  const through = reports.flatMap((r) =>
    r.completeThrough === undefined ? [] : [r.completeThrough],
  );
  return {
    stores: reports.length,
    storesNeedingAttention: reports.filter((r) => r.attention).length,
    devicesReporting: reports.reduce((sum, r) => sum + r.reporting, 0),
    devicesKnown: reports.reduce((sum, r) => sum + r.known, 0),
    devicesSilent: reports.reduce((sum, r) => sum + r.silent.length, 0),
    lanesReporting: reports.reduce((sum, r) => sum + r.lanes.reporting, 0),
    lanesMissing: reports.reduce((sum, r) => sum + r.lanes.missing, 0),
    maxBacklogAgeSeconds: Math.max(0, ...reports.map((r) => r.backlogAgeSeconds)),
    backlogBytes: reports.reduce((sum, r) => sum + r.backlogBytes, 0),
    maxClockOffsetMs: reports.reduce(
      (worst, r) => (Math.abs(r.maxClockOffsetMs) > Math.abs(worst) ? r.maxClockOffsetMs : worst),
      0,
    ),
    daemonVersions: versions,
    ...(through.length > 0 && { completeThrough: [...through].sort()[0] }),
  };
}
