import { ApiError, get, type ModelQualityResponse } from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h } from './dom.js';
import { count, money, share } from './format.js';
import {
  COMPARE_FIGURES,
  type CompareRow,
  comparable,
  compareRows,
  compareTable,
  defaultCompare,
  diff,
  isOtherVersion,
  likeForLike,
  modelCompareCsv,
  rowKey,
  type VersionQuality,
  versionName,
} from './model-quality-csv.js';
import { slotPeriod } from './period.js';
import { oneRegion, type ViewContext } from './view-context.js';

/** What the route is asked about: one store, or one region. */
type Scope = { readonly storeId: string } | { readonly region: string };

const scopeKey = (s: Scope) => ('storeId' in s ? `store:${s.storeId}` : `region:${s.region}`);

/** The pair (`a,b`) the reader picked, per scope, kept across refreshes of the view. */
const picked = new Map<string, string>();
/** The default pair last asked for, per scope: a refresh asks for it directly. */
const defaults = new Map<string, string>();
/** A store manager with several stores: the store the view shows. */
let storePick: string | undefined;

/**
 * The scope: a store manager's store (the first, or the one picked); else the chosen region,
 * or a region manager's first region. Leadership picks a region in the filter.
 */
function scopeOf(ctx: ViewContext): Scope | undefined {
  if (ctx.claims.role === 'store_manager') {
    const stores = ctx.claims.stores;
    const store = storePick !== undefined && stores.includes(storePick) ? storePick : stores[0];
    return store === undefined ? undefined : { storeId: store };
  }
  const region = oneRegion(ctx);
  return region === undefined ? undefined : { region };
}

/** The answer shown, and the first answer when one was needed to pick the default pair. */
interface Answers {
  readonly r: ModelQualityResponse;
  readonly first?: ModelQualityResponse;
}

/**
 * Asks the route for the period and scope, comparing the reader's pair, else the two versions
 * with most detections. Without a pair known for the scope, a first answer (`compare: null`)
 * names the versions and a second compares the default pair; a refresh then asks for that pair
 * at once, and asks again only if the ranking changed.
 */
async function fetchModels(ctx: ViewContext, where: Scope): Promise<Answers> {
  const key = scopeKey(where);
  const base: Record<string, string> = { ...slotPeriod(ctx), ...where };
  const ask = (compare?: string) =>
    get<ModelQualityResponse>('/v1/model-quality', { ...base, compare });
  const mine = picked.get(key);
  const known = mine ?? defaults.get(key);
  let first: ModelQualityResponse | undefined;
  if (known !== undefined) {
    try {
      const r = await ask(known);
      const names = comparable(r.versions).map(versionName);
      const [a = '', b = ''] = known.split(',');
      if (mine !== undefined && names.includes(a) && names.includes(b)) return { r };
      if (mine === undefined && defaultCompare(r.versions) === known) return { r };
      first = r; // the pair no longer fits this scope: fall back to the default
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 400) throw e;
    }
    picked.delete(key);
    defaults.delete(key);
  }
  first ??= await ask();
  const pair = defaultCompare(first.versions);
  if (pair === null) return { r: first };
  if (
    first.compare !== null &&
    `${versionName(first.compare.a)},${versionName(first.compare.b)}` === pair
  )
    return { r: first };
  defaults.set(key, pair);
  return { r: await ask(pair), first };
}

/** The Models view: two versions of the detection models side by side, with b − a. */
export async function renderModels(ctx: ViewContext): Promise<HTMLElement> {
  const where = scopeOf(ctx);
  if (where === undefined) {
    return h(
      'section',
      { 'data-view': 'models', class: 'empty', 'data-state': 'no-region' },
      h('h2', {}, 'Model quality'),
      h('p', {}, 'Pick a region to compare model versions.'),
    );
  }
  const view = h('section', {
    'data-view': 'models',
    'data-scope': scopeKey(where),
  });
  const show = (answers: Answers, scope: Scope) => {
    view.dataset.scope = scopeKey(scope);
    view.replaceChildren(
      ...[
        h('h2', {}, `Model quality: ${answers.r.storeId ?? answers.r.region}`),
        h(
          'p',
          { class: 'period' },
          `${answers.r.period.from} to ${answers.r.period.to}`,
          answers.r.period.from !== ctx.from &&
            ' (the last 31 days of the period: the longest the API reads slot by slot)',
        ),
        storePicker(ctx, scope, () => void reload()),
        modelsSection(answers, (a, b) => {
          if (a === b) return false;
          picked.set(scopeKey(scope), `${a},${b}`);
          void reload();
          return true;
        }),
      ].filter((e) => e !== null),
    );
  };
  const reload = async () => {
    const scope = scopeOf(ctx) ?? where;
    view.setAttribute('aria-busy', 'true');
    try {
      show(await fetchModels(ctx, scope), scope);
    } catch (e) {
      view.append(
        h(
          'p',
          { class: 'error', role: 'alert', 'data-state': 'error' },
          `Could not load the comparison: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    } finally {
      view.setAttribute('aria-busy', 'false');
    }
  };
  // The first answer's failure (a 403 outside the token's scope) is the view's error.
  show(await fetchModels(ctx, where), where);
  return view;
}

/** A store manager of several stores picks which one the view compares. */
function storePicker(ctx: ViewContext, where: Scope, reload: () => void): HTMLElement | null {
  if (ctx.claims.role !== 'store_manager' || ctx.claims.stores.length < 2) return null;
  const select = h(
    'select',
    { id: 'models-store', name: 'models-store' },
    ctx.claims.stores.map((s) =>
      h('option', { value: s, selected: 'storeId' in where && where.storeId === s }, s),
    ),
  );
  select.addEventListener('change', () => {
    storePick = select.value;
    reload();
  });
  return h('p', { class: 'pickers' }, h('label', { for: 'models-store' }, 'Store '), select);
}

function pickSelect(
  id: string,
  versions: readonly VersionQuality[],
  value: string | undefined,
): HTMLSelectElement {
  return h(
    'select',
    { id, name: id, 'data-pick': id },
    versions.map((v) =>
      h('option', { value: versionName(v), selected: versionName(v) === value }, versionName(v)),
    ),
  );
}

/**
 * The versions compared (pickers), the side-by-side table, the stores that ran both, every
 * version's totals (the overflow bucket too), the read cost and the download. `onPick` says
 * whether it took the pair.
 */
export function modelsSection(
  { r, first }: Answers,
  onPick: (a: string, b: string) => boolean,
): HTMLElement {
  const versions = comparable(r.versions);
  const section = h('section', {
    class: 'models',
    'data-panel': 'models',
    'data-store-id': r.storeId ?? undefined,
    'data-region': r.region,
  });
  const cmp = r.compare;
  const find = (name: string) => versions.find((v) => versionName(v) === name);
  const va = cmp === null ? undefined : find(versionName(cmp.a));
  const vb = cmp === null ? undefined : find(versionName(cmp.b));
  if (cmp === null || va === undefined || vb === undefined) {
    section.append(
      h(
        'p',
        { class: 'empty', 'data-state': 'no-compare' },
        versions.length === 0
          ? 'No detections by a named model version in this period.'
          : `Only ${versionName(versions[0] as VersionQuality)} ran here in this period: nothing to compare.`,
      ),
    );
  } else {
    const selA = pickSelect('version-a', versions, versionName(va));
    const selB = pickSelect('version-b', versions, versionName(vb));
    const note = h('span', { class: 'pick-note', 'aria-live': 'polite' });
    const changed = () => {
      note.textContent = onPick(selA.value, selB.value) ? '' : ' Pick two different versions.';
    };
    selA.addEventListener('change', changed);
    selB.addEventListener('change', changed);
    section.append(
      h(
        'p',
        { class: 'pickers' },
        h('label', { for: 'version-a' }, 'Version a '),
        selA,
        ' ',
        h('label', { for: 'version-b' }, 'Version b '),
        selB,
        note,
      ),
    );
    const rows = compareRows(va, vb, cmp);
    const cur = (c: number) => money(c, r.currency);
    section.append(
      h(
        'div',
        { class: 'table-scroll' },
        compareTableElement(rows, va, vb, cur, likeForLike(va, vb, cmp)),
      ),
      bothLine(cmp),
    );
    attachCsvDownload(
      section,
      `models-${r.storeId ?? r.region}-${r.period.from}-${r.period.to}.csv`,
      modelCompareCsv(va, vb, r.currency),
      rows,
    );
  }
  section.append(versionsTable(r), readCost(r, first));
  return section;
}

/** Which stores ran both versions, and which rows compare them over those stores only. */
function bothLine(compare: NonNullable<ModelQualityResponse['compare']>): HTMLElement {
  const stores = compare.storesWithBoth;
  const names = `${versionName(compare.a)} and ${versionName(compare.b)}`;
  return h(
    'p',
    { class: 'compare', 'data-stores-with-both': stores.join(' ') },
    stores.length === 0
      ? `No store ran both ${names} in this period: the rows compare each version over every store read, so over different stores.`
      : `${count(stores.length)} ${stores.length === 1 ? 'store' : 'stores'} ran both ${names}: ${stores.join(', ')}. ` +
          `The categories and the first total compare the two over ${stores.length === 1 ? 'that store' : 'those stores'} only (like for like); the last row is each version over every store read.`,
  );
}

/** The side-by-side table: each figure under a, b and b − a, b − a highlighted by its sign. */
function compareTableElement(
  rows: readonly CompareRow[],
  a: VersionQuality,
  b: VersionQuality,
  cur: (cents: number) => string,
  both: boolean,
): HTMLElement {
  const cells = compareTable(rows, cur);
  return h(
    'table',
    { class: 'compare-table' },
    h(
      'caption',
      {},
      `${versionName(a)} (a) beside ${versionName(b)} (b), and b − a, per category and in total, ` +
        (both ? 'over the stores that ran both' : 'over every store read'),
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('td', {}),
        COMPARE_FIGURES.map((f) => h('th', { scope: 'colgroup', colspan: 3 }, f.title)),
      ),
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Category'),
        COMPARE_FIGURES.flatMap(() => [
          h('th', { scope: 'col' }, 'a'),
          h('th', { scope: 'col' }, 'b'),
          h('th', { scope: 'col', class: 'diff' }, 'b − a'),
        ]),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row, i) => {
        const text = cells[i] ?? [];
        return h(
          'tr',
          {
            'data-row': rowKey(row),
            'data-over': row.over,
            class: row.category === null ? 'total' : undefined,
          },
          h('th', { scope: 'row' }, text[0]),
          COMPARE_FIGURES.flatMap((f, j) => {
            const va = f.value(row.a);
            const vb = f.value(row.b);
            const d = diff(va, vb);
            return [
              h('td', { [`data-${f.key}-a`]: va ?? '' }, text[1 + 3 * j]),
              h('td', { [`data-${f.key}-b`]: vb ?? '' }, text[2 + 3 * j]),
              h(
                'td',
                {
                  [`data-${f.key}-diff`]: d ?? '',
                  class: d === null || d === 0 ? 'diff' : d > 0 ? 'diff up' : 'diff down',
                },
                text[3 + 3 * j],
              ),
            ];
          }),
        );
      }),
    ),
  );
}

/** Every version's totals over the stores read, the overflow bucket named as such. */
function versionsTable(r: ModelQualityResponse): HTMLElement {
  return h(
    'table',
    { class: 'versions' },
    h(
      'caption',
      {},
      `Every model version, over the ${r.stores.length} ${r.stores.length === 1 ? 'store' : 'stores'} read`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Version', 'Detections', 'FP rate', 'Loss prevented'].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      r.versions.map((v) =>
        h(
          'tr',
          { 'data-version': versionName(v) },
          h(
            'th',
            { scope: 'row' },
            isOtherVersion(v) ? 'Other versions (past the 8 a slot keeps apart)' : versionName(v),
          ),
          h('td', {}, count(v.total.detections)),
          h('td', {}, share(v.total.falsePositiveRate)),
          h('td', {}, money(v.total.lossPreventedCents, r.currency)),
        ),
      ),
    ),
  );
}

/** What the answer shown cost to read (and the first one, when the view needed it). */
function readCost(r: ModelQualityResponse, first: ModelQualityResponse | undefined): HTMLElement {
  return h(
    'p',
    { class: 'read-cost', 'data-read-cost': r.cost.readUnits },
    `Read cost: ${count(r.cost.itemsRead)} items, ${r.cost.readUnits} read units, ${count(r.cost.queries)} queries (as DynamoDB reported them).`,
    first !== undefined &&
      ` Picking the two busiest versions took a first answer too: ${count(first.cost.itemsRead)} items, ${first.cost.readUnits} read units, ${count(first.cost.queries)} queries.`,
    r.truncated &&
      ` Only the ${r.stores.length} busiest of ${r.storesActive} active stores were read: ${r.stores.join(', ')}.`,
  );
}
