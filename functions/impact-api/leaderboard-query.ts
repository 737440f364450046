import { type CoverageSummary, isDark, summaryGapDays } from '#domain/fleet-health';
import { shrinkFigures } from '#domain/impact-report';
import type { PersonPrincipal } from '#shared/principal';
import { decodeCursor, encodeCursor, queryChecksum } from './cursor.js';
import { scopeSummaries } from './fleet-health-query.js';
import type { ImpactReader } from './impact-reader.js';
import type { LeaderboardQuery } from './query-params.js';
import type { LeaderboardResponse } from './response-schemas.js';
import { readStoreFigures, storeScopeFor } from './scope.js';

const SORT_FIELD = {
  lossPrevented: 'lossPreventedCents',
  lossDetected: 'lossDetectedCents',
  falsePositiveRate: 'falsePositiveRate',
} as const;

/**
 * Stores ranked by a figure over a period, from the per-store figures the rollups keep (no
 * per-store reads for organisation or region scope), paged with opaque cursors. Ties are
 * broken by store id, so pages never overlap or skip; stores without a resolved detection
 * sort last by false-positive rate. An offset past the last store answers an empty page.
 */
export async function leaderboardFor(
  principal: PersonPrincipal,
  query: LeaderboardQuery,
  reader: ImpactReader,
  currency: string,
  now = Date.now(),
): Promise<LeaderboardResponse> {
  const scope = storeScopeFor(principal, query.region);
  // What the offset's position depends on: the stores in scope and the parameters that order
  // them (not the page size, which a client may change between pages).
  const checksum = queryChecksum([
    scope,
    query.from,
    query.to,
    query.region ?? null,
    query.sort,
    query.order,
  ]);
  const offset = query.cursor === undefined ? 0 : decodeCursor(query.cursor, checksum);
  const [figures, summaries] = await Promise.all([
    readStoreFigures(scope, query.from, query.to, reader),
    scopeSummaries(scope, reader),
  ]);
  const coverage = new Map(summaries.map((s) => [s.storeId, s]));
  const field = SORT_FIELD[query.sort];
  const direction = query.order === 'desc' ? -1 : 1;
  const rows = [...figures.byContributor]
    .map(([storeId, counters]) => {
      const { detectionsByCategory: _c, outcomesByKind: _o, ...f } = shrinkFigures(counters);
      return { storeId, ...f };
    })
    .sort((a, b) => {
      const x = a[field];
      const y = b[field];
      if (x === null || y === null)
        return x === y ? a.storeId.localeCompare(b.storeId) : x === null ? 1 : -1;
      return (x - y) * direction || a.storeId.localeCompare(b.storeId);
    });
  const page = rows.slice(offset, offset + query.limit).map((row, i) => ({
    rank: offset + i + 1,
    ...row,
    coverage: entryCoverage(coverage.get(row.storeId), query, now),
  }));
  const next = offset + query.limit;
  return {
    period: { from: query.from, to: query.to },
    region: query.region ?? null,
    sort: query.sort,
    order: query.order,
    currency,
    stores: page,
    nextCursor: next < rows.length ? encodeCursor(next, checksum) : null,
  };
}

/** A leaderboard row's coverage, from its store's summary as of `now`. */
function entryCoverage(
  summary: CoverageSummary | undefined,
  period: { readonly from: string; readonly to: string },
  now: number,
): LeaderboardResponse['stores'][number]['coverage'] {
  if (summary === undefined) return null;
  const dark = isDark(summary, now);
  return {
    lanesReporting: dark ? 0 : summary.lanes.reporting,
    lanesRegistered: summary.lanes.registered ?? summary.lanes.known,
    gapDays: summaryGapDays(summary, now, period).length,
    ...(!dark &&
      summary.completeThrough !== undefined && {
        completeThrough: new Date(summary.completeThrough).toISOString(),
      }),
  };
}
