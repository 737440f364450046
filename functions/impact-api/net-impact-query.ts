import { daysInclusive, isoWeekOfDate } from '#domain/calendar';
import { hoursSavedFigures, shrinkFigures } from '#domain/impact-report';
import { netImpact } from '#domain/net-impact';
import type { PersonPrincipal } from '#shared/principal';
import { forbidden, HttpProblem } from '#shared/problem';
import type { Valuation } from './config.js';
import type { ImpactReader } from './impact-reader.js';
import type { PeriodQuery } from './query-params.js';
import type { NetImpactResponse } from './response-schemas.js';
import { readStoreTotals, storeScopeFor } from './scope.js';

/**
 * Net impact is the organisation's, for leadership only: hours saved are counted per team,
 * not per store or region, so a region's or a store's "hours saved minus its share of the
 * running cost" would mix a fleet-wide figure into a local one. Pro-rating is by days only.
 */
export async function netImpactFor(
  principal: PersonPrincipal,
  query: PeriodQuery,
  reader: ImpactReader,
  currency: string,
  valuation: Valuation | undefined,
): Promise<NetImpactResponse> {
  if (principal.role !== 'leadership') {
    throw forbidden(
      "net impact is the organisation's (leadership only): hours saved are counted per team, and a region's or store's share of the fleet's running cost is not meaningful",
    );
  }
  if (valuation === undefined) {
    throw new HttpProblem(
      503,
      'not-configured',
      'Not configured',
      'the pipeline running cost is not configured for this stage',
    );
  }
  // The same reads GET /v1/impact makes for its current period, through the same scoping.
  const weeks = { from: isoWeekOfDate(query.from), to: isoWeekOfDate(query.to) };
  const [stores, teams] = await Promise.all([
    readStoreTotals(storeScopeFor(principal, undefined), query.from, query.to, reader),
    reader.teamRollup(weeks.from, weeks.to),
  ]);
  const { lossPreventedCents } = shrinkFigures(stores.totals);
  const { hoursSaved } = hoursSavedFigures(teams.totals);
  const days = daysInclusive(query.from, query.to);
  const figures = netImpact({
    lossPreventedCents,
    hoursSaved,
    loadedHourlyRateCents: valuation.loadedHourlyRateCents,
    pipelineMonthlyCostCents: valuation.pipelineMonthlyCostCents,
    days,
    storeShare: 1,
  });
  return {
    period: { from: query.from, to: query.to },
    scope: { role: principal.role, level: 'organisation' },
    currency,
    lossPreventedCents: figures.lossPreventedCents,
    hoursSaved,
    hoursSavedValueCents: figures.hoursSavedValueCents,
    pipelineCostCents: figures.pipelineCostCents,
    netImpactCents: figures.netImpactCents,
    assumptions: {
      ...valuation,
      hoursSavedWeeks: weeks,
      proration: `monthly cost x ${days} days / (365 / 12); the whole organisation, so no store share`,
    },
  };
}
