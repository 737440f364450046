import { get } from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, share } from './format.js';
import { lanesCsv, type StoreLanesResponse } from './model-quality-csv.js';
import type { ViewContext } from './view-context.js';

/** A store's lanes: detections, outcome mix and FP rate per lane, flagged lanes marked. */
export async function storeLanes(ctx: ViewContext, storeId: string): Promise<HTMLElement> {
  let r: StoreLanesResponse;
  try {
    r = await get<StoreLanesResponse>(`/v1/stores/${encodeURIComponent(storeId)}/lanes`, {
      from: ctx.from,
      to: ctx.to,
    });
  } catch (e) {
    // The rest of the store's page stands without its lanes.
    return h(
      'section',
      { class: 'lanes', 'data-panel': 'lanes', 'data-state': 'error' },
      h('h3', {}, 'Lanes'),
      h('p', {}, `Lanes unavailable: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  const section = h(
    'section',
    { class: 'lanes', 'data-panel': 'lanes' },
    h('h3', {}, 'Lanes'),
    h(
      'table',
      {},
      h('caption', {}, `Detections and outcomes per lane, ${r.period.from} to ${r.period.to}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Lane',
            'Detections',
            'Recovered',
            'Confirmed loss',
            'False positive',
            'Open',
            'FP rate',
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        r.lanes.map((l) =>
          h(
            'tr',
            {
              'data-lane': l.laneId,
              'data-flagged': l.flagged ? 'true' : 'false',
              class: l.flagged ? 'flagged' : undefined,
            },
            h('th', { scope: 'row' }, l.flagged ? `${l.laneId} ⚑` : l.laneId),
            h('td', {}, count(l.detections)),
            h('td', {}, count(l.outcomes.recovered)),
            h('td', {}, count(l.outcomes.confirmed_loss)),
            h('td', {}, count(l.outcomes.false_positive)),
            h('td', {}, count(l.outcomes.open)),
            h('td', { 'data-fp-rate': l.falsePositiveRate ?? '' }, share(l.falsePositiveRate)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'flag-rule' },
      `⚑ flagged: ${r.flagRule} (store FP rate ${share(r.store.falsePositiveRate)} over ${count(r.store.detections)} detections).`,
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
    lanesCsv(),
    r.lanes,
  );
  return section;
}
