import { ApiError, get, type ImpactResponse, type NetImpactResponse } from './api.js';
import { chartCard, gapNote, gapPoints, PALETTE } from './charts.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { scopeCoverageLine } from './fleet-view.js';
import { change, count, hours, label, money, share } from './format.js';
import { kpiCard } from './kpi-card.js';
import { lossByDayCsv, lossByDayTable } from './loss-table.js';
import { regionQuery, type ViewContext } from './view-context.js';

function kpi(
  id: string,
  title: string,
  value: string,
  delta: ReturnType<typeof change>,
  goodWhenUp: boolean,
): HTMLElement {
  const tone =
    delta === null || delta.trend === 'flat'
      ? 'flat'
      : (delta.trend === 'up') === goodWhenUp
        ? 'good'
        : 'bad';
  return kpiCard(
    id,
    title,
    value,
    h(
      'p',
      { class: `delta ${tone}` },
      delta === null ? 'no previous figure' : `${delta.text} vs previous period`,
    ),
  );
}

/** Loss prevented vs detected, confirmed loss, false positives, categories, hours saved. */
export async function renderOverview(ctx: ViewContext): Promise<HTMLElement> {
  const r = await get<ImpactResponse>('/v1/impact', {
    from: ctx.from,
    to: ctx.to,
    region: regionQuery(ctx),
  });
  if (isEmpty(r)) return emptyOverview(r);
  const net = await netImpactPanel(ctx, r);
  const kpis = h('div', { class: 'kpis' }, ...shrinkKpis(r), ...hoursKpis(r));
  const charts = h(
    'div',
    { class: 'charts' },
    lossOverTimeChart(r),
    categoryChart(r),
    r.series.weeks === null ? null : hoursByWeekChart(r.series.weeks),
  );
  return h(
    'section',
    { 'data-view': 'overview' },
    periodLine(r),
    scopeCoverageLine(r.coverage),
    kpis,
    net,
    charts,
  );
}

/**
 * Net impact, with every assumption beside it: the organisation's only (leadership, no region
 * chosen), as the API answers it; a stage without a running cost says so instead.
 */
async function netImpactPanel(ctx: ViewContext, r: ImpactResponse): Promise<HTMLElement | null> {
  if (r.scope.role !== 'leadership' || r.region !== null) return null;
  let n: NetImpactResponse;
  try {
    n = await get<NetImpactResponse>('/v1/net-impact', { from: ctx.from, to: ctx.to });
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) {
      return h(
        'section',
        { class: 'card', 'data-panel': 'net-impact' },
        h('h2', {}, 'Net impact'),
        h('p', {}, error.message),
      );
    }
    throw error;
  }
  const cur = (c: number) => money(c, n.currency);
  const a = n.assumptions;
  const row = (term: string, value: string, key: string) =>
    [h('dt', {}, term), h('dd', { 'data-net-figure': key }, value)] as const;
  return h(
    'section',
    { class: 'card net-impact', 'data-panel': 'net-impact' },
    h('h2', {}, 'Net impact (organisation)'),
    h('p', { class: 'value', 'data-net': String(n.netImpactCents) }, cur(n.netImpactCents)),
    h(
      'dl',
      {},
      ...row('Loss prevented', cur(n.lossPreventedCents), 'lossPrevented'),
      ...row(
        `Hours saved (${hours(n.hoursSaved)} x ${cur(a.loadedHourlyRateCents)} an hour)`,
        cur(n.hoursSavedValueCents),
        'hoursSavedValue',
      ),
      ...row('Less pipeline running cost', cur(n.pipelineCostCents), 'pipelineCost'),
    ),
    h(
      'ul',
      { class: 'assumptions' },
      h('li', {}, `Loaded hourly rate: ${cur(a.loadedHourlyRateCents)}`),
      h(
        'li',
        { 'data-cost-source': a.costSource },
        `Monthly running cost: ${cur(a.pipelineMonthlyCostCents)}, ${a.costSource === 'plan' ? 'from the plan' : 'configured'} (${a.costSourceDetail})`,
      ),
      h('li', {}, `Pro-rated: ${a.proration}`),
      h(
        'li',
        {},
        `Hours saved cover ISO weeks ${a.hoursSavedWeeks.from} to ${a.hoursSavedWeeks.to}`,
      ),
    ),
  );
}

/** Nothing detected, no outcome and no incident in the period. */
function isEmpty(r: ImpactResponse): boolean {
  return (
    r.shrink.detections === 0 && r.shrink.outcomes === 0 && (r.hoursSaved?.incidents ?? 0) === 0
  );
}

/** An empty period: what it covered, and how to get events into it. */
function emptyOverview(r: ImpactResponse): HTMLElement {
  return h(
    'section',
    { class: 'empty', 'data-state': 'empty' },
    h('h2', {}, 'No events in this period yet'),
    h(
      'p',
      {},
      `Nothing was detected between ${r.period.from} and ${r.period.to}${r.region === null ? '' : ` in ${r.region}`}. `,
      'Pick a longer period, or send some events.',
    ),
    h(
      'p',
      {},
      'On the local stack, ',
      h('code', {}, 'npm start'),
      ' simulates a fleet by default; with ',
      h('code', {}, '--no-simulate'),
      ', run ',
      h('code', {}, 'npm run simulate'),
      '. In AWS, register the stores and panel PCs (',
      h('code', {}, 'npm run register'),
      ') and start their edge clients.',
    ),
  );
}

/** The period shown, its region, and the previous period the changes compare with. */
function periodLine(r: ImpactResponse): HTMLElement {
  return h(
    'p',
    { class: 'period' },
    `${r.period.from} to ${r.period.to}${r.region === null ? '' : `, ${r.region}`}; previous period ${r.previous.period.from} to ${r.previous.period.to}`,
  );
}

/** The four shrink figures, each with its change from the previous period. */
function shrinkKpis(r: ImpactResponse): HTMLElement[] {
  const s = r.shrink;
  const p = r.previous.shrink;
  const cur = (c: number) => money(c, r.currency);
  return [
    kpi(
      'lossPrevented',
      'Loss prevented',
      cur(s.lossPreventedCents),
      change(s.lossPreventedCents, p.lossPreventedCents),
      true,
    ),
    kpi(
      'lossDetected',
      'Loss detected',
      cur(s.lossDetectedCents),
      change(s.lossDetectedCents, p.lossDetectedCents),
      true,
    ),
    kpi(
      'confirmedLoss',
      'Confirmed loss',
      cur(s.confirmedLossCents),
      change(s.confirmedLossCents, p.confirmedLossCents),
      false,
    ),
    kpi(
      'falsePositiveRate',
      'False-positive rate',
      share(s.falsePositiveRate),
      change(s.falsePositiveRate, p.falsePositiveRate),
      false,
    ),
  ];
}

/** Hours saved and the automated share, for callers who see hours at all (none otherwise). */
function hoursKpis(r: ImpactResponse): HTMLElement[] {
  const now = r.hoursSaved;
  if (now === null) return [];
  const before = r.previous.hoursSaved;
  return [
    kpi(
      'hoursSaved',
      'Staff hours saved',
      hours(now.hoursSaved),
      change(now.hoursSaved, before?.hoursSaved ?? null),
      true,
    ),
    kpi(
      'automatedShare',
      'Incidents closed by automation',
      share(now.automatedShare),
      change(now.automatedShare, before?.automatedShare ?? null),
      true,
    ),
  ];
}

/** Loss detected, prevented and confirmed per day, in the API's currency. */
function lossOverTimeChart(r: ImpactResponse): HTMLElement {
  const days = r.series.days;
  const labels = days.map((d) => d.period);
  const gaps = new Map(
    r.coverage.gapDays.map((g) => [
      g.date,
      `${count(g.stores)} ${g.stores === 1 ? 'store' : 'stores'}`,
    ]),
  );
  const marks = gapPoints(labels, gaps);
  const card = chartCard(
    'loss-over-time',
    'Loss prevented and detected, by day',
    `Line chart of loss prevented and loss detected per day from ${r.period.from} to ${r.period.to}` +
      (gaps.size > 0 ? `; ${gaps.size} days with a gap are marked with triangles` : ''),
    {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Detected',
            data: days.map((d) => d.lossDetectedCents / 100),
            borderColor: PALETTE[1],
            backgroundColor: PALETTE[1],
            ...marks(PALETTE[1]),
          },
          {
            label: 'Prevented',
            data: days.map((d) => d.lossPreventedCents / 100),
            borderColor: PALETTE[0],
            backgroundColor: 'rgba(27,106,201,0.15)',
            fill: true,
            ...marks(PALETTE[0]),
          },
          {
            label: 'Confirmed loss',
            data: days.map((d) => d.confirmedLossCents / 100),
            borderColor: PALETTE[3],
            backgroundColor: PALETTE[3],
            ...marks(PALETTE[3]),
          },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { callback: (v) => money(Number(v) * 100, r.currency) } },
        },
      },
    },
    ...lossByDayTable(days, (c) => money(c, r.currency), gaps),
    gapNote(gaps),
  );
  attachCsvDownload(
    card,
    `loss-by-day-${r.period.from}-${r.period.to}.csv`,
    lossByDayCsv(r.currency, gaps),
    days,
  );
  return card;
}

/** The period's detections by category (those with any), against the previous period's. */
function categoryChart(r: ImpactResponse): HTMLElement {
  const s = r.shrink;
  const categories = Object.entries(s.detectionsByCategory).filter(([, n]) => n > 0);
  return chartCard(
    'detections-by-category',
    'Detections by category',
    `Doughnut chart of ${count(s.detections)} detections by category`,
    {
      type: 'doughnut',
      data: {
        labels: categories.map(([k]) => label(k)),
        datasets: [{ data: categories.map(([, n]) => n), backgroundColor: PALETTE }],
      },
      options: { plugins: { legend: { position: 'right' } } },
    },
    ['Category', 'Detections', 'Previous period'],
    categories.map(([k, n]) => [
      label(k),
      count(n),
      count(r.previous.shrink.detectionsByCategory[k] ?? 0),
    ]),
  );
}

type Week = NonNullable<ImpactResponse['series']['weeks']>[number];

/** Staff hours saved by automation per ISO week. */
function hoursByWeekChart(weeks: readonly Week[]): HTMLElement {
  return chartCard(
    'hours-over-time',
    'Staff hours saved, by week',
    `Bar chart of staff hours saved by automation per ISO week, ${weeks[0]?.period ?? ''} to ${weeks.at(-1)?.period ?? ''}`,
    {
      type: 'bar',
      data: {
        labels: weeks.map((w) => w.period),
        datasets: [
          {
            label: 'Hours saved',
            data: weeks.map((w) => w.hoursSaved),
            backgroundColor: PALETTE[2],
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    },
    ['Week', 'Hours saved', 'Incidents', 'Closed by automation'],
    weeks.map((w) => [w.period, hours(w.hoursSaved), count(w.incidents), share(w.automatedShare)]),
  );
}
