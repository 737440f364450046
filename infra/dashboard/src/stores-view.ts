import { get, type LeaderboardResponse, type StoreShrinkResponse } from './api.js';
import { chartCard, gapNote, gapPoints, PALETTE } from './charts.js';
import { type CsvColumn, centsAsDecimal } from './csv.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { coverageLine } from './fleet-view.js';
import { count, label, money, share } from './format.js';
import { storeHourOfDay } from './hour-of-day-view.js';
import { kpiCard } from './kpi-card.js';
import { storeLanes } from './lanes-view.js';
import { lossByDayCsv, lossByDayTable } from './loss-table.js';
import { regionQuery, type ViewContext } from './view-context.js';

const SORTS = [
  ['lossPrevented', 'Loss prevented'],
  ['lossDetected', 'Loss detected'],
  ['falsePositiveRate', 'False-positive rate'],
] as const;

export interface LeaderboardState {
  sort: (typeof SORTS)[number][0];
  order: 'desc' | 'asc';
}

/** The store leaderboard: sortable by the API's sorts, paged with its cursor. */
export async function renderStores(
  ctx: ViewContext,
  state: LeaderboardState,
  rerender: () => void,
): Promise<HTMLElement> {
  const query = leaderboardQuery(ctx, state);
  const first = await get<LeaderboardResponse>('/v1/stores', query);
  if (first.stores.length === 0) return emptyLeaderboard();
  const body = h('tbody', {});
  const addRows = (page: LeaderboardResponse) => {
    for (const s of page.stores) body.append(leaderboardRow(s, first.currency));
  };
  addRows(first);
  const section = h(
    'section',
    { 'data-view': 'stores' },
    leaderboardTable(ctx, state, rerender, body),
    showMoreButton(query, first.nextCursor, addRows),
  );
  attachCsvDownload(
    section,
    `stores-${ctx.from}-${ctx.to}.csv`,
    leaderboardCsv(first.currency),
    () => allLeaderboardPages(query),
  );
  return section;
}

/** Stores one CSV download holds at most: ten pages of the API's largest page. */
export const CSV_MAX_STORES = 1_000;

type LeaderboardStore = LeaderboardResponse['stores'][number];

/**
 * The leaderboard's CSV holds every page (not only the rows shown), in the table's order, up to
 * CSV_MAX_STORES, fetched afresh with the largest page the API allows.
 */
async function allLeaderboardPages(query: LeaderboardQuery): Promise<LeaderboardStore[]> {
  const stores: LeaderboardStore[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await get<LeaderboardResponse>('/v1/stores', {
      ...query,
      limit: '100',
      cursor: cursor ?? undefined,
    });
    stores.push(...page.stores);
    cursor = page.nextCursor;
  } while (cursor !== null && stores.length < CSV_MAX_STORES);
  return stores.slice(0, CSV_MAX_STORES);
}

/** The leaderboard's columns as figures: money in decimal `currency`, the rate from 0 to 1. */
function leaderboardCsv(currency: string): CsvColumn<LeaderboardStore>[] {
  return [
    { header: 'Rank', value: (s) => s.rank },
    { header: 'Store', value: (s) => s.storeId },
    { header: `Loss prevented (${currency})`, value: (s) => centsAsDecimal(s.lossPreventedCents) },
    { header: `Loss detected (${currency})`, value: (s) => centsAsDecimal(s.lossDetectedCents) },
    { header: `Confirmed loss (${currency})`, value: (s) => centsAsDecimal(s.confirmedLossCents) },
    { header: 'Detections', value: (s) => s.detections },
    { header: 'False-positive rate (0-1)', value: (s) => s.falsePositiveRate },
    { header: 'Lanes reporting now', value: (s) => s.coverage?.lanesReporting },
    { header: 'Lanes registered', value: (s) => s.coverage?.lanesRegistered },
    { header: 'Days with a gap', value: (s) => s.coverage?.gapDays },
  ];
}

type LeaderboardQuery = Record<string, string | undefined>;

/** The first page's query: the period, the region, the sort, 25 stores. */
function leaderboardQuery(ctx: ViewContext, state: LeaderboardState): LeaderboardQuery {
  return {
    from: ctx.from,
    to: ctx.to,
    region: regionQuery(ctx),
    sort: state.sort,
    order: state.order,
    limit: '25',
  };
}

/** No store had a detection in the period. */
function emptyLeaderboard(): HTMLElement {
  return h(
    'section',
    { class: 'empty', 'data-state': 'empty' },
    h('h2', {}, 'No stores with detections in this period'),
    h('p', {}, 'Pick a longer period, or check that the stores you expect are registered.'),
  );
}

/** A store's rank, its link to the drill-down, and its figures. */
function leaderboardRow(s: LeaderboardResponse['stores'][number], currency: string): HTMLElement {
  return h(
    'tr',
    { 'data-store': s.storeId },
    h('td', {}, s.rank),
    h(
      'th',
      { scope: 'row' },
      h('a', { href: `#/stores/${encodeURIComponent(s.storeId)}` }, s.storeId),
    ),
    h('td', {}, money(s.lossPreventedCents, currency)),
    h('td', {}, money(s.lossDetectedCents, currency)),
    h('td', {}, money(s.confirmedLossCents, currency)),
    h('td', {}, count(s.detections)),
    h('td', {}, share(s.falsePositiveRate)),
    coverageCell(s.coverage),
  );
}

/** A leaderboard row's coverage: lanes reporting of registered, and its days with a gap. */
function coverageCell(c: LeaderboardResponse['stores'][number]['coverage']): HTMLElement {
  if (c === null) return h('td', { 'data-coverage': 'unknown' }, 'unknown');
  const gap = c.gapDays > 0 || c.lanesReporting < c.lanesRegistered;
  return h(
    'td',
    { 'data-coverage': gap ? 'gap' : 'complete', class: gap ? 'gap' : undefined },
    `${c.lanesReporting} of ${c.lanesRegistered} lanes`,
    c.gapDays > 0 && ` ▲ ${c.gapDays} ${c.gapDays === 1 ? 'day' : 'days'} with a gap`,
  );
}

/** "Show more stores": fetches the page after `cursor` and adds its rows; hidden at the end. */
function showMoreButton(
  query: LeaderboardQuery,
  cursor: string | null,
  addRows: (page: LeaderboardResponse) => void,
): HTMLButtonElement {
  let next = cursor;
  const more = h('button', { type: 'button', class: 'more' }, 'Show more stores');
  more.hidden = next === null;
  more.addEventListener('click', async () => {
    if (next === null) return;
    more.disabled = true;
    const page = await get<LeaderboardResponse>('/v1/stores', { ...query, cursor: next });
    addRows(page);
    next = page.nextCursor;
    more.hidden = next === null;
    more.disabled = false;
  });
  return more;
}

/** The ranked table; its sortable columns re-sort through `state` and `rerender`. */
function leaderboardTable(
  ctx: ViewContext,
  state: LeaderboardState,
  rerender: () => void,
  body: HTMLElement,
): HTMLElement {
  const sortHeader = (key: LeaderboardState['sort'], text: string) =>
    sortableHeader(state, rerender, key, text);
  return h(
    'table',
    { class: 'leaderboard' },
    h(
      'caption',
      {},
      `Stores ranked by ${SORTS.find(([k]) => k === state.sort)?.[1].toLowerCase()}, ${ctx.from} to ${ctx.to}`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Rank'),
        h('th', { scope: 'col' }, 'Store'),
        sortHeader('lossPrevented', 'Loss prevented'),
        sortHeader('lossDetected', 'Loss detected'),
        h('th', { scope: 'col' }, 'Confirmed loss'),
        h('th', { scope: 'col' }, 'Detections'),
        sortHeader('falsePositiveRate', 'False-positive rate'),
        h('th', { scope: 'col' }, 'Coverage now'),
      ),
    ),
    body,
  );
}

/**
 * A column header that sorts by `key`: descending first, and flips the order when it is
 * already the sort.
 */
function sortableHeader(
  state: LeaderboardState,
  rerender: () => void,
  key: LeaderboardState['sort'],
  text: string,
): HTMLElement {
  const active = state.sort === key;
  return h(
    'th',
    {
      scope: 'col',
      'aria-sort': active ? (state.order === 'desc' ? 'descending' : 'ascending') : 'none',
    },
    h(
      'button',
      {
        type: 'button',
        class: 'sort',
        'data-sort': key,
        onclick: () => {
          state.order = active && state.order === 'desc' ? 'asc' : 'desc';
          state.sort = key;
          rerender();
        },
      },
      text,
      active ? (state.order === 'desc' ? ' ▼' : ' ▲') : '',
    ),
  );
}

/** One store's daily series by category, and its loss figures. */
export async function renderStore(ctx: ViewContext, storeId: string): Promise<HTMLElement> {
  const r = await get<StoreShrinkResponse>(`/v1/stores/${encodeURIComponent(storeId)}/shrink`, {
    from: ctx.from,
    to: ctx.to,
    granularity: 'day',
  });
  const [hours, lanes] = await Promise.all([
    storeHourOfDay(ctx, storeId),
    storeLanes(ctx, storeId),
  ]);
  return h(
    'section',
    { 'data-view': 'store', 'data-store': r.storeId },
    h('p', {}, h('a', { href: '#/stores' }, '← All stores')),
    h('h2', {}, `Store ${r.storeId}`),
    h('p', { class: 'period' }, `${r.region}, ${r.timeZone}; ${ctx.from} to ${ctx.to}`),
    coverageLine(r.coverage),
    storeKpis(r),
    h('div', { class: 'charts' }, storeCategoryChart(r), storeLossChart(r)),
    hours,
    lanes,
  );
}

/** The store's totals for the period. */
function storeKpis(r: StoreShrinkResponse): HTMLElement {
  const cur = (c: number) => money(c, r.currency);
  return h(
    'div',
    { class: 'kpis' },
    kpiCard('lossPrevented', 'Loss prevented', cur(r.total.lossPreventedCents)),
    kpiCard('lossDetected', 'Loss detected', cur(r.total.lossDetectedCents)),
    kpiCard('detections', 'Detections', count(r.total.detections)),
    kpiCard('falsePositiveRate', 'False-positive rate', share(r.total.falsePositiveRate)),
  );
}

/** The store's detections per day, stacked by category (those with any in the period). */
function storeCategoryChart(r: StoreShrinkResponse): HTMLElement {
  const categories = Object.keys(r.total.detectionsByCategory).filter(
    (k) => (r.total.detectionsByCategory[k] ?? 0) > 0,
  );
  return chartCard(
    'store-by-category',
    'Detections by category, by day',
    `Stacked bar chart of ${r.storeId}'s detections per day by category`,
    {
      type: 'bar',
      data: {
        labels: r.series.map((d) => d.period),
        datasets: categories.map((k, i) => ({
          label: label(k),
          data: r.series.map((d) => d.detectionsByCategory[k] ?? 0),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    },
    ['Day', ...categories.map(label)],
    r.series.map((d) => [
      d.period,
      ...categories.map((k) => count(d.detectionsByCategory[k] ?? 0)),
    ]),
  );
}

/** The store's loss detected and prevented per day, its days with a gap marked. */
function storeLossChart(r: StoreShrinkResponse): HTMLElement {
  const labels = r.series.map((d) => d.period);
  const gaps = new Map((r.coverage?.gapDays ?? []).map((d) => [d, 'a lane not reporting']));
  const marks = gapPoints(labels, gaps);
  const card = chartCard(
    'store-loss',
    'Loss prevented and detected, by day',
    `Line chart of ${r.storeId}'s loss prevented and detected per day` +
      (gaps.size > 0 ? `; ${gaps.size} days with a gap are marked with triangles` : ''),
    {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Detected',
            data: r.series.map((d) => d.lossDetectedCents / 100),
            borderColor: PALETTE[1],
            backgroundColor: PALETTE[1],
            ...marks(PALETTE[1]),
          },
          {
            label: 'Prevented',
            data: r.series.map((d) => d.lossPreventedCents / 100),
            borderColor: PALETTE[0],
            backgroundColor: PALETTE[0],
            ...marks(PALETTE[0]),
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    },
    ...lossByDayTable(r.series, (c) => money(c, r.currency), gaps),
    gapNote(gaps),
  );
  attachCsvDownload(card, `store-${r.storeId}-days.csv`, lossByDayCsv(r.currency, gaps), r.series);
  return card;
}
