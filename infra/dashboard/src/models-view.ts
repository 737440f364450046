import { get } from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, label, money, share } from './format.js';
import {
  type CompareRow,
  compareRows,
  diff,
  type Figures,
  type ModelQualityResponse,
  type ModelVersion,
  modelCompareCsv,
} from './model-quality-csv.js';
import type { ViewContext } from './view-context.js';

const nameOf = (v: { model: string; version: string }) => `${v.model}@${v.version}`;

/** The two versions the reader picked, kept across refreshes of the view. */
const picked: { a?: string; b?: string } = {};

/** The scope: the chosen region, else the caller's first region (a store manager: first store). */
function scope(ctx: ViewContext): Record<string, string> | undefined {
  if (ctx.claims.role === 'store_manager') {
    const store = ctx.claims.stores?.[0];
    return store === undefined ? undefined : { storeId: store };
  }
  const region =
    ctx.region !== ''
      ? ctx.region
      : ctx.claims.role === 'region_manager'
        ? ctx.claims.regions[0]
        : undefined;
  return region === undefined ? undefined : { region };
}

/** The Models view: two versions of the detection models side by side, with b − a. */
export async function renderModels(ctx: ViewContext): Promise<HTMLElement> {
  const where = scope(ctx);
  if (where === undefined) {
    return h(
      'section',
      { 'data-view': 'models', class: 'empty', 'data-state': 'no-region' },
      h('h2', {}, 'Model quality'),
      h('p', {}, 'Pick a region to compare model versions.'),
    );
  }
  const view = h('section', { 'data-view': 'models', ...where }, h('h2', {}, 'Model quality'));
  const load = async () => {
    const query: Record<string, string> = { from: ctx.from, to: ctx.to, ...where };
    if (picked.a !== undefined && picked.b !== undefined) query.compare = `${picked.a},${picked.b}`;
    const r = await get<ModelQualityResponse>('/v1/model-quality', query);
    view.replaceChildren(
      h('h2', {}, `Model quality: ${r.storeId ?? r.region}`),
      modelsSection(r, (a, b) => {
        picked.a = a;
        picked.b = b;
        void load();
      }),
    );
  };
  await load();
  return view;
}

function pickSelect(
  id: string,
  versions: readonly ModelVersion[],
  value: string | undefined,
): HTMLSelectElement {
  const select = h(
    'select',
    { id, name: id, 'data-pick': id },
    versions.map((v) => h('option', { value: nameOf(v) }, nameOf(v))),
  );
  if (value !== undefined) select.value = value;
  return select;
}

/** Pickers for versions a and b, the side-by-side table, the compare line and the read cost. */
export function modelsSection(
  r: ModelQualityResponse,
  onPick: (a: string, b: string) => void,
): HTMLElement {
  const first = r.versions[0];
  const a = r.compare ? nameOf(r.compare.a) : (picked.a ?? (first ? nameOf(first) : undefined));
  const b = r.compare
    ? nameOf(r.compare.b)
    : (picked.b ?? nameOf(r.versions[1] ?? first ?? { model: '', version: '' }));
  const selA = pickSelect('version-a', r.versions, a);
  const selB = pickSelect('version-b', r.versions, b);
  const changed = () => onPick(selA.value, selB.value);
  selA.addEventListener('change', changed);
  selB.addEventListener('change', changed);
  const va = r.versions.find((v) => nameOf(v) === selA.value);
  const vb = r.versions.find((v) => nameOf(v) === selB.value);
  const section = h(
    'section',
    { class: 'models', 'data-panel': 'models' },
    h(
      'p',
      { class: 'pickers' },
      h('label', { for: 'version-a' }, 'Version a '),
      selA,
      ' ',
      h('label', { for: 'version-b' }, 'Version b '),
      selB,
    ),
  );
  if (r.versions.length === 0 || va === undefined || vb === undefined) {
    section.append(
      h(
        'p',
        { class: 'empty', 'data-state': 'no-versions' },
        'No detections by any model version in this period.',
      ),
    );
  } else {
    const rows = compareRows(va, vb);
    section.append(compareTable(rows, va, vb, r.currency));
    attachCsvDownload(
      section,
      `models-${r.storeId ?? r.region}-${r.period.from}-${r.period.to}.csv`,
      modelCompareCsv(va, vb, r.currency),
      rows,
    );
  }
  if (r.compare !== null) {
    section.append(
      h(
        'p',
        { class: 'compare', 'data-stores-with-both': r.compare.storesWithBoth.length },
        `${count(r.compare.storesWithBoth.length)} stores ran both ${nameOf(r.compare.a)} and ${nameOf(r.compare.b)}; the compare figures cover only those stores: FP rate ${share(r.compare.a.falsePositiveRate ?? null)} vs ${share(r.compare.b.falsePositiveRate ?? null)}.`,
      ),
    );
  }
  section.append(
    h(
      'p',
      { class: 'read-cost', 'data-read-cost': r.cost.readUnits },
      `Read cost: ${count(r.cost.itemsRead)} items, ${r.cost.readUnits} read units, ${count(r.cost.queries)} queries (as DynamoDB reported them).`,
      r.truncated &&
        ` Only the ${r.stores.length} busiest of ${r.storesActive} active stores were read: ${r.stores.join(', ')}.`,
    ),
  );
  return section;
}

function signed(n: number | null, fmt: (n: number) => string): string {
  if (n === null) return '–';
  return n > 0 ? `+${fmt(n)}` : n < 0 ? `−${fmt(-n)}` : fmt(0);
}

function compareTable(
  rows: CompareRow[],
  a: ModelVersion,
  b: ModelVersion,
  currency: string,
): HTMLElement {
  const figs: [string, string, (f: Figures) => number | null, (n: number) => string][] = [
    ['Detections', 'detections', (f) => f.detections, count],
    ['Recovered', 'recovered', (f) => f.outcomes.recovered, count],
    ['Confirmed loss', 'confirmed_loss', (f) => f.outcomes.confirmed_loss, count],
    ['False positive', 'false_positive', (f) => f.outcomes.false_positive, count],
    ['Open', 'open', (f) => f.outcomes.open, count],
    ['FP rate', 'fp-rate', (f) => f.falsePositiveRate, (n) => share(n)],
    [
      'Prevented per detection',
      'per-detection',
      (f) => f.lossPreventedPerDetectionCents,
      (n) => money(n, currency),
    ],
  ];
  return h(
    'table',
    { class: 'compare-table' },
    h(
      'caption',
      {},
      `${nameOf(a)} (a) beside ${nameOf(b)} (b), and b − a, per category and in total`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Category'),
        figs.flatMap(([t]) => [
          h('th', { scope: 'col' }, `${t} a`),
          h('th', { scope: 'col' }, `${t} b`),
          h('th', { scope: 'col', class: 'diff' }, 'b − a'),
        ]),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {
            'data-category': row.category ?? 'total',
            class: row.category === null ? 'total' : undefined,
          },
          h('th', { scope: 'row' }, row.category === null ? 'Total' : label(row.category)),
          figs.flatMap(([, key, get, fmt]) => {
            const va = row.a ? get(row.a) : null;
            const vb = row.b ? get(row.b) : null;
            const d = diff(va, vb);
            return [
              h('td', { [`data-${key}-a`]: va ?? '' }, va === null ? '–' : fmt(va)),
              h('td', { [`data-${key}-b`]: vb ?? '' }, vb === null ? '–' : fmt(vb)),
              h(
                'td',
                { class: d === null || d === 0 ? 'diff' : d > 0 ? 'diff up' : 'diff down' },
                signed(d, fmt),
              ),
            ];
          }),
        ),
      ),
    ),
  );
}
