import { addDays, daysInclusive, eachDate, eachIsoWeek, isoWeekOfDate } from '#domain/calendar';
import { scopeCoverage } from '#domain/fleet-health';
import { hoursSavedFigures, shrinkFigures } from '#domain/impact-report';
import type { PersonPrincipal } from '#shared/principal';
import { scopeSummaries } from './fleet-health-query.js';
import type { ImpactReader } from './impact-reader.js';
import type { ImpactQuery } from './query-params.js';
import type { ImpactResponse } from './response-schemas.js';
import { readStoreTotals, storeScopeFor } from './scope.js';

/** Totals for a period and the period of equal length before it, within the token's scope. */
export async function impactFor(
  principal: PersonPrincipal,
  query: ImpactQuery,
  reader: ImpactReader,
  currency: string,
  now = Date.now(),
): Promise<ImpactResponse> {
  const scope = storeScopeFor(principal, query.region);
  const length = daysInclusive(query.from, query.to);
  const previous = { from: addDays(query.from, -length), to: addDays(query.from, -1) };
  const figures = async (period: { from: string; to: string }) => {
    const weeks = { from: isoWeekOfDate(period.from), to: isoWeekOfDate(period.to) };
    const [stores, teams] = await Promise.all([
      readStoreTotals(scope, period.from, period.to, reader),
      principal.role === 'leadership' ? reader.teamRollup(weeks.from, weeks.to) : undefined,
    ]);
    return {
      shrink: shrinkFigures(stores.totals),
      hoursSaved: teams === undefined ? null : { ...hoursSavedFigures(teams.totals), weeks },
      series: {
        days: eachDate(period.from, period.to).map((date) => ({
          period: date,
          ...shrinkFigures(stores.byPeriod.get(date) ?? {}),
        })),
        weeks:
          teams === undefined
            ? null
            : eachIsoWeek(weeks.from, weeks.to).map((week) => ({
                period: week,
                ...hoursSavedFigures(teams.byPeriod.get(week) ?? {}),
              })),
      },
    };
  };
  const [current, { series: _previousSeries, ...before }, coverage] = await Promise.all([
    figures(query),
    figures(previous),
    scopeSummaries(scope, reader).then((summaries) => {
      const c = scopeCoverage(summaries, now, query);
      return { ...c, gapDays: [...c.gapDays] };
    }),
  ]);
  return {
    period: { from: query.from, to: query.to },
    region: query.region ?? null,
    scope: {
      role: principal.role,
      ...(principal.role === 'store_manager' && { stores: [...principal.stores] }),
      ...(principal.role === 'region_manager' && { regions: [...principal.regions] }),
    },
    currency,
    ...current,
    previous: { period: previous, ...before },
    coverage,
  };
}
