import { get, type HourOfDayResponse } from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, label, money } from './format.js';
import { hourOfDayCsv } from './hour-of-day-csv.js';
import { slotPeriod } from './period.js';
import { oneRegion, type ViewContext } from './view-context.js';

/**
 * The table behind the hour-of-day heat map: its headers, and a row per store-local hour with
 * its detections per category, then the hour's loss detected and prevented in `money`.
 */
export function hourOfDayTable(
  r: HourOfDayResponse,
  money: (cents: number) => string,
): [headers: string[], rows: string[][]] {
  return [
    ['Hour', ...r.categories.map(label), 'Detected', 'Prevented'],
    r.hours.map((row) => [
      `${String(row.hour).padStart(2, '0')}:00`,
      ...r.categories.map((k) => count(row.detectionsByCategory[k] ?? 0)),
      money(row.lossDetectedCents),
      money(row.lossPreventedCents),
    ]),
  ];
}

/** 0 (none) to 4 (the table's busiest cell): a CSS class shades it, no inline style (CSP). */
const level = (value: number, max: number) =>
  value <= 0 || max <= 0 ? 0 : Math.max(1, Math.ceil((value / max) * 4));

/**
 * The heat map: 24 rows of store-local hours by category, each detection cell shaded by its
 * share of the busiest cell, and what the answer cost to read beside it.
 */
export function hourOfDaySection(r: HourOfDayResponse, title: string): HTMLElement {
  const [headers, rows] = hourOfDayTable(r, (c) => money(c, r.currency));
  const max = Math.max(
    0,
    ...r.hours.flatMap((row) => r.categories.map((k) => row.detectionsByCategory[k] ?? 0)),
  );
  const body = r.hours.map((row, i) =>
    h(
      'tr',
      { 'data-hour': row.hour },
      (rows[i] ?? []).map((cell, c) => {
        if (c === 0) return h('th', { scope: 'row' }, cell);
        const k = r.categories[c - 1];
        const heat = k === undefined ? undefined : level(row.detectionsByCategory[k] ?? 0, max);
        return h('td', heat === undefined ? {} : { class: `heat-${heat}` }, cell);
      }),
    ),
  );
  const section = h(
    'section',
    { class: 'hour-of-day', 'data-panel': 'hour-of-day' },
    h('h3', {}, title),
    h(
      'table',
      { class: 'heat' },
      h(
        'caption',
        {},
        `Detections by store-local hour and category, ${r.period.from} to ${r.period.to}; loss per hour over every category`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, body),
    ),
    h(
      'p',
      { class: 'read-cost', 'data-read-cost': r.cost.readUnits },
      `Read cost: ${count(r.cost.itemsRead)} slot and rollup items, ${r.cost.readUnits} read units, ${count(r.cost.queries)} queries (as DynamoDB reported them).`,
      r.truncated &&
        ` Only the ${r.stores.length} busiest of ${r.storesActive} active stores were read: ${r.stores.join(', ')}.`,
    ),
  );
  const scope = r.storeId ?? r.region;
  attachCsvDownload(
    section,
    `hour-of-day-${scope}-${r.period.from}-${r.period.to}.csv`,
    hourOfDayCsv(r),
    r.hours,
  );
  return section;
}

/** A store's heat map, at most the last 31 days of the period (the route's cap). */
export async function storeHourOfDay(ctx: ViewContext, storeId: string): Promise<HTMLElement> {
  const r = await get<HourOfDayResponse>('/v1/hour-of-day', { ...slotPeriod(ctx), storeId });
  return hourOfDaySection(r, 'When loss happens, by hour of day');
}

/** The region view: the chosen region's (or the caller's first region's) busiest stores. */
export async function renderHourOfDay(ctx: ViewContext): Promise<HTMLElement> {
  const region = oneRegion(ctx);
  if (region === undefined || ctx.claims.role === 'store_manager') {
    return h(
      'section',
      { 'data-view': 'hour-of-day', class: 'empty', 'data-state': 'no-region' },
      h('h2', {}, 'When loss happens'),
      h(
        'p',
        {},
        ctx.claims.role === 'store_manager'
          ? "Your stores' hours are on each store's page."
          : 'Pick a region to see its stores by hour of day.',
      ),
    );
  }
  const r = await get<HourOfDayResponse>('/v1/hour-of-day', { ...slotPeriod(ctx), region });
  return h(
    'section',
    { 'data-view': 'hour-of-day', 'data-region': region },
    h('h2', {}, `When loss happens: ${region}`),
    hourOfDaySection(r, `Stores read: ${r.stores.join(', ') || 'none with detections'}`),
  );
}
