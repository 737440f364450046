import { get, type TeamHoursResponse, type TeamsResponse } from './api.js';
import { chartCard, PALETTE } from './charts.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, hours, share } from './format.js';
import type { ViewContext } from './view-context.js';

/** Hours saved by team and week (leadership only: teams span the organisation). */
export async function renderTeams(ctx: ViewContext): Promise<HTMLElement> {
  const period = { from: ctx.from, to: ctx.to };
  const list = await get<TeamsResponse>('/v1/teams', period);
  if (list.teams.length === 0) return emptyTeams();
  const series = await Promise.all(
    list.teams.map((t) =>
      get<TeamHoursResponse>(`/v1/teams/${encodeURIComponent(t.teamId)}/hours-saved`, {
        ...period,
        granularity: 'week',
      }),
    ),
  );
  const table = h('div', { class: 'table' }, teamsTable(list.teams));
  attachCsvDownload(
    table,
    `teams-${list.weeks.from}-${list.weeks.to}.csv`,
    [
      { header: 'Team', value: (t) => t.teamId },
      { header: 'Hours saved', value: (t) => t.hoursSaved },
      { header: 'Incidents', value: (t) => t.incidents },
      { header: 'Closed by automation (0-1)', value: (t) => t.automatedShare },
      { header: 'Engineer time (hours)', value: (t) => t.engineerMinutes / 60 },
    ],
    list.teams,
  );
  return h(
    'section',
    { 'data-view': 'teams' },
    h('p', { class: 'period' }, `ISO weeks ${list.weeks.from} to ${list.weeks.to}`),
    table,
    h('div', { class: 'charts' }, hoursByTeamChart(series)),
  );
}

/** No team closed an incident in the period. */
function emptyTeams(): HTMLElement {
  return h(
    'section',
    { class: 'empty', 'data-state': 'empty' },
    h('h2', {}, 'No incidents closed in this period'),
    h(
      'p',
      {},
      'On-call automations report closed incidents as oncall_incident events through an edge client.',
    ),
  );
}

/** A row a team: hours saved, incidents, the automated share, engineer time. */
function teamsTable(teams: TeamsResponse['teams']): HTMLElement {
  return h(
    'table',
    { class: 'teams' },
    h('caption', {}, 'Hours saved by team'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Team', 'Hours saved', 'Incidents', 'Closed by automation', 'Engineer time'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      teams.map((t) =>
        h(
          'tr',
          { 'data-team': t.teamId },
          h('th', { scope: 'row' }, t.teamId),
          h('td', {}, hours(t.hoursSaved)),
          h('td', {}, count(t.incidents)),
          h('td', {}, share(t.automatedShare)),
          h('td', {}, hours(t.engineerMinutes / 60)),
        ),
      ),
    ),
  );
}

/** Each team's hours saved per ISO week, grouped by week (the weeks of the first team's series). */
function hoursByTeamChart(series: readonly TeamHoursResponse[]): HTMLElement {
  const weeks = series[0]?.series.map((w) => w.period) ?? [];
  return chartCard(
    'hours-by-team',
    'Staff hours saved, by team and week',
    `Grouped bar chart of hours saved per ISO week for ${series.length} teams`,
    {
      type: 'bar',
      data: {
        labels: weeks,
        datasets: series.map((t, i) => ({
          label: t.teamId,
          data: t.series.map((w) => w.hoursSaved),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { y: { beginAtZero: true } } },
    },
    ['Week', ...series.map((t) => t.teamId)],
    weeks.map((week, i) => [week, ...series.map((t) => hours(t.series[i]?.hoursSaved ?? 0))]),
  );
}
