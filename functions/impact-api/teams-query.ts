import { eachIsoWeek, isoWeekOfDate, mondayOfIsoWeek } from '#domain/calendar';
import { addCounters, type Counters, sumCounters } from '#domain/counters';
import { hoursSavedFigures } from '#domain/impact-report';
import type { PersonPrincipal } from '#shared/principal';
import type { ImpactReader } from './impact-reader.js';
import type { PeriodQuery, TeamHoursQuery } from './query-params.js';
import type { TeamHoursResponse, TeamsResponse } from './response-schemas.js';
import { requireLeadership } from './scope.js';

const weeksOf = (q: PeriodQuery) => ({ from: isoWeekOfDate(q.from), to: isoWeekOfDate(q.to) });

/** Hours saved per team over the ISO weeks overlapping the period, most saved first. */
export async function teamsFor(
  principal: PersonPrincipal,
  query: PeriodQuery,
  reader: ImpactReader,
): Promise<TeamsResponse> {
  requireLeadership(principal, 'team figures');
  const weeks = weeksOf(query);
  const read = await reader.teamRollup(weeks.from, weeks.to);
  const teams = [...read.byContributor]
    .map(([teamId, counters]) => ({ teamId, ...hoursSavedFigures(counters) }))
    .sort((a, b) => b.minutesSaved - a.minutesSaved || a.teamId.localeCompare(b.teamId));
  return { period: { from: query.from, to: query.to }, weeks, teams };
}

/** One team's hours saved by ISO week or by month (a week counts in the month of its Thursday). */
export async function teamHoursFor(
  principal: PersonPrincipal,
  teamId: string,
  query: TeamHoursQuery,
  reader: ImpactReader,
): Promise<TeamHoursResponse> {
  requireLeadership(principal, 'team figures');
  const weeks = weeksOf(query);
  const byWeek = await reader.teamWeeks(teamId, weeks.from, weeks.to);
  const buckets = new Map<string, Counters>();
  for (const week of eachIsoWeek(weeks.from, weeks.to)) {
    const thursday = new Date(Date.parse(mondayOfIsoWeek(week)) + 3 * 86_400_000).toISOString();
    const key = query.granularity === 'week' ? week : thursday.slice(0, 7);
    buckets.set(key, addCounters(buckets.get(key) ?? {}, byWeek.get(week) ?? {}));
  }
  return {
    teamId,
    period: { from: query.from, to: query.to },
    weeks,
    granularity: query.granularity,
    total: hoursSavedFigures(sumCounters(byWeek.values())),
    series: [...buckets].map(([period, counters]) => ({ period, ...hoursSavedFigures(counters) })),
  };
}
