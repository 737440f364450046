import { ApiError, get, type StoreLanesResponse } from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, share } from './format.js';
import { LANE_HEADERS, lanesCsv, lanesTable, OTHER } from './model-quality-csv.js';
import { slotPeriod } from './period.js';
import type { ViewContext } from './view-context.js';

/**
 * A store's lanes: detections, outcome mix and FP rate per lane, flagged lanes marked; at most
 * the last 31 days of the period (the route's cap, as for the hour-of-day heat map).
 */
export async function storeLanes(ctx: ViewContext, storeId: string): Promise<HTMLElement> {
  let r: StoreLanesResponse;
  try {
    r = await get<StoreLanesResponse>(
      `/v1/stores/${encodeURIComponent(storeId)}/lanes`,
      slotPeriod(ctx),
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    // The rest of the store's page stands without its lanes.
    return h(
      'section',
      { class: 'lanes', 'data-panel': 'lanes', 'data-state': 'error' },
      h('h3', {}, 'Lanes'),
      h('p', {}, `Lanes unavailable: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  return lanesSection(r);
}

/** The lanes table, the flag rule under it, the store's FP rate, the read cost and the CSV. */
export function lanesSection(r: StoreLanesResponse): HTMLElement {
  const cells = lanesTable(r);
  const flagged = r.lanes.filter((l) => l.flagged).length;
  const section = h(
    'section',
    { class: 'lanes', 'data-panel': 'lanes', 'data-flagged-lanes': flagged },
    h('h3', {}, 'Lanes'),
    h(
      'table',
      {},
      h(
        'caption',
        {},
        `Detections and outcomes per lane, ${r.period.from} to ${r.period.to}` +
          (flagged > 0 ? `; ${flagged} flagged (⚑, see the rule below)` : ''),
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          LANE_HEADERS.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        r.lanes.map((l, i) => {
          const text = cells[i] ?? [];
          return h(
            'tr',
            {
              'data-lane': l.laneId,
              'data-flagged': l.flagged ? 'true' : 'false',
              class: l.flagged ? 'flagged' : undefined,
            },
            h('th', { scope: 'row' }, text[0]),
            text.slice(1, -1).map((c) => h('td', {}, c)),
            h('td', { class: 'flag' }, text.at(-1) ?? ''),
          );
        }),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          { 'data-lane': 'store' },
          h('th', { scope: 'row' }, 'Store'),
          h('td', {}, count(r.store.detections)),
          h('td', { colspan: 4 }),
          h(
            'td',
            { 'data-store-fp-rate': r.store.falsePositiveRate ?? '' },
            share(r.store.falsePositiveRate),
          ),
          h('td', {}),
        ),
      ),
    ),
    h(
      'p',
      { class: 'flag-rule' },
      `⚑ Flagged: ${r.flagRule}. The store's FP rate is ${share(r.store.falsePositiveRate)} over ${count(r.store.detections)} detections.`,
    ),
    r.lanes.some((l) => l.laneId === OTHER) &&
      h(
        'p',
        { class: 'lanes-other' },
        'Other lanes (together): the lanes past the 64 a slot keeps apart, counted as one row.',
      ),
    h(
      'p',
      { class: 'read-cost', 'data-read-cost': r.cost.readUnits },
      `Read cost: ${count(r.cost.itemsRead)} items, ${r.cost.readUnits} read units, ${count(r.cost.queries)} queries (as DynamoDB reported them).`,
    ),
  );
  attachCsvDownload(
    section,
    `lanes-${r.storeId}-${r.period.from}-${r.period.to}.csv`,
    lanesCsv(r),
    r.lanes,
  );
  return section;
}
