import type { ModelQualityResponse, StoreLanesResponse } from '#api-schemas';
import { type CsvColumn, centsAsDecimal } from './csv.js';
import { count, label, share } from './format.js';

/* No DOM here: the rows, the table's cells and the downloads are unit-tested outside a browser. */

/** A model version as the answer gives it: its figures in total and per category. */
export type VersionQuality = ModelQualityResponse['versions'][number];
/** Detections, the outcome mix, the FP rate and loss prevented: the figures compared. */
export type Figures = VersionQuality['total'];
/** The two versions compared, over the stores that ran both (null: nothing compared). */
export type Comparison = NonNullable<ModelQualityResponse['compare']>;
/** One lane of a store's lanes answer. */
export type Lane = StoreLanesResponse['lanes'][number];

/** The overflow bucket's name: versions past the 8 one slot keeps apart, lanes past its 64. */
export const OTHER = '(other)';

/** `name@version`, as the route's `compare` parameter names a version. */
export const versionName = (v: { readonly model: string; readonly version: string }): string =>
  `${v.model}@${v.version}`;

/** The overflow bucket: not one version, so neither offered to compare nor picked by default. */
export const isOtherVersion = (v: { readonly model: string; readonly version: string }): boolean =>
  v.model === OTHER || v.version === OTHER;

/**
 * The versions a reader may compare: every named one, most detections first (ties by name), so
 * the default pair is the two a region runs most.
 */
export function comparable(versions: readonly VersionQuality[]): VersionQuality[] {
  return versions
    .filter((v) => !isOtherVersion(v))
    .sort(
      (x, y) =>
        y.total.detections - x.total.detections || versionName(x).localeCompare(versionName(y)),
    );
}

/**
 * The `compare` parameter to ask for when the reader has not picked: the two named versions
 * with most detections, the earlier version as a (so b − a is what the later one changed);
 * null with fewer than two.
 */
export function defaultCompare(versions: readonly VersionQuality[]): string | null {
  const top = comparable(versions).slice(0, 2);
  if (top.length < 2) return null;
  return top
    .map(versionName)
    .sort((x, y) => x.localeCompare(y, 'en', { numeric: true }))
    .join(',');
}

/** One row of the side-by-side table: a category or the total, under versions a and b. */
export interface CompareRow {
  /** The category; null for the total. */
  readonly category: string | null;
  /** Over the stores that ran both (the like-for-like figures) or every store read. */
  readonly over: 'both' | 'all';
  readonly a: Figures;
  readonly b: Figures;
}

const ZERO: Figures = {
  detections: 0,
  outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 0, open: 0 },
  falsePositiveRate: null,
  lossPreventedCents: 0,
  lossPreventedPerDetectionCents: null,
};

/** b − a, or null when either side has no figure (a rate with no resolved outcome). */
export function diff(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : b - a;
}

/** True when the answer compares a and b over at least one store that ran both. */
export function likeForLike(
  a: VersionQuality,
  b: VersionQuality,
  compare: Comparison | null,
): compare is Comparison {
  return (
    compare !== null &&
    versionName(compare.a) === versionName(a) &&
    versionName(compare.b) === versionName(b) &&
    compare.storesWithBoth.length > 0
  );
}

/** The categories either side detected something in (in the answer's order), then the total. */
function rowsOf(a: VersionQuality, b: VersionQuality, over: CompareRow['over']): CompareRow[] {
  const cats: string[] = [];
  for (const c of [...a.categories, ...b.categories])
    if (c.detections > 0 && !cats.includes(c.category)) cats.push(c.category);
  const find = (v: VersionQuality, k: string): Figures =>
    v.categories.find((c) => c.category === k) ?? ZERO;
  return [
    ...cats.map((k) => ({ category: k, over, a: find(a, k), b: find(b, k) })),
    { category: null, over, a: a.total, b: b.total },
  ];
}

/**
 * The side-by-side rows of versions a and b. When the answer compares these two over stores
 * that ran both: each category and the total over those stores only (like for like), then
 * each version's total over every store read. Otherwise each category and the total over
 * every store read. A category one side never saw is zeros on that side.
 */
export function compareRows(
  a: VersionQuality,
  b: VersionQuality,
  compare: Comparison | null = null,
): CompareRow[] {
  if (!likeForLike(a, b, compare)) return rowsOf(a, b, 'all');
  return [
    ...rowsOf(compare.a, compare.b, 'both'),
    { category: null, over: 'all', a: a.total, b: b.total },
  ];
}

/** A row's name, in the table and in the download. */
export function rowLabel(row: CompareRow): string {
  if (row.category !== null) return label(row.category);
  return row.over === 'both' ? 'Total over stores that ran both' : 'Total over every store read';
}

/** A row's key for the page's data attributes: the category, `total-both` or `total-all`. */
export const rowKey = (row: CompareRow): string => row.category ?? `total-${row.over}`;

/** One compared figure: its name, its key (for the page's data attributes) and its value. */
export interface CompareFigure {
  readonly title: string;
  /** The download's name for it, when not `title`. */
  readonly csvTitle?: string;
  readonly key: string;
  readonly value: (f: Figures) => number | null;
  readonly kind: 'count' | 'rate' | 'money';
}

/** The figures compared, in the table's and the download's order. */
export const COMPARE_FIGURES: readonly CompareFigure[] = [
  { title: 'Detections', key: 'detections', value: (f) => f.detections, kind: 'count' },
  { title: 'Recovered', key: 'recovered', value: (f) => f.outcomes.recovered, kind: 'count' },
  {
    title: 'Confirmed loss',
    key: 'confirmed-loss',
    value: (f) => f.outcomes.confirmed_loss,
    kind: 'count',
  },
  {
    title: 'False positive',
    key: 'false-positive',
    value: (f) => f.outcomes.false_positive,
    kind: 'count',
  },
  { title: 'Open', key: 'open', value: (f) => f.outcomes.open, kind: 'count' },
  {
    title: 'FP rate',
    csvTitle: 'False-positive rate',
    key: 'fp-rate',
    value: (f) => f.falsePositiveRate,
    kind: 'rate',
  },
  {
    title: 'Loss prevented',
    key: 'prevented',
    value: (f) => f.lossPreventedCents,
    kind: 'money',
  },
  {
    title: 'Prevented per detection',
    key: 'per-detection',
    value: (f) => f.lossPreventedPerDetectionCents,
    kind: 'money',
  },
];

/** A figure for people; a difference signed (+, −, or none for 0); `–` for no figure. */
export function formatFigure(
  n: number | null,
  kind: CompareFigure['kind'],
  money: (cents: number) => string,
  signed = false,
): string {
  if (n === null) return '–';
  const text = (v: number) =>
    kind === 'count'
      ? count(v)
      : kind === 'rate'
        ? signed
          ? `${(v * 100).toFixed(1)} pts`
          : share(v)
        : money(v);
  if (!signed || n === 0) return text(signed ? Math.abs(n) : n);
  return n > 0 ? `+${text(n)}` : `−${text(-n)}`;
}

/**
 * The side-by-side table's cells, as the page shows them: a row label, then for each figure a,
 * b and b − a (a rate's difference in percentage points). `money` formats cents.
 */
export function compareTable(
  rows: readonly CompareRow[],
  money: (cents: number) => string,
): string[][] {
  return rows.map((row) => [
    rowLabel(row),
    ...COMPARE_FIGURES.flatMap((f) => {
      const a = f.value(row.a);
      const b = f.value(row.b);
      return [
        formatFigure(a, f.kind, money),
        formatFigure(b, f.kind, money),
        formatFigure(diff(a, b), f.kind, money, true),
      ];
    }),
  ]);
}

/**
 * The download of the side-by-side table: the same rows (which stores each covers in its own
 * column), each figure for a, b and b − a, as numbers (counts, rates from 0 to 1, money as
 * decimal `currency`).
 */
export function modelCompareCsv(
  a: VersionQuality,
  b: VersionQuality,
  currency: string,
): CsvColumn<CompareRow>[] {
  const A = versionName(a);
  const B = versionName(b);
  const unit = (f: CompareFigure) => {
    const title = f.csvTitle ?? f.title;
    return f.kind === 'rate'
      ? `${title} (0-1)`
      : f.kind === 'money'
        ? `${title} (${currency})`
        : title;
  };
  const out = (f: CompareFigure, n: number | null) =>
    n === null ? null : f.kind === 'money' ? centsAsDecimal(n) : n;
  return [
    { header: 'Category', value: (r) => (r.category === null ? 'Total' : label(r.category)) },
    { header: 'Stores', value: (r) => (r.over === 'both' ? 'ran both' : 'every store read') },
    ...COMPARE_FIGURES.flatMap((f): CsvColumn<CompareRow>[] => [
      { header: `${unit(f)} a ${A}`, value: (r) => out(f, f.value(r.a)) },
      { header: `${unit(f)} b ${B}`, value: (r) => out(f, f.value(r.b)) },
      { header: `${unit(f)} b - a`, value: (r) => out(f, diff(f.value(r.a), f.value(r.b))) },
    ]),
  ];
}

/** The lanes table's headers. */
export const LANE_HEADERS = [
  'Lane',
  'Detections',
  'Recovered',
  'Confirmed loss',
  'False positive',
  'Open',
  'FP rate',
  'Flagged',
] as const;

/** A lane's name: `(other)` is every lane past the 64 one slot keeps apart, together. */
export const laneLabel = (laneId: string): string =>
  laneId === OTHER ? 'Other lanes (together)' : laneId;

/** The lanes table's cells, as the page shows them. */
export function lanesTable(r: StoreLanesResponse): string[][] {
  return r.lanes.map((l) => [
    laneLabel(l.laneId),
    count(l.detections),
    count(l.outcomes.recovered),
    count(l.outcomes.confirmed_loss),
    count(l.outcomes.false_positive),
    count(l.outcomes.open),
    share(l.falsePositiveRate),
    l.flagged ? '⚑ Flagged' : '',
  ]);
}

/** The download of a store's lanes table: the same rows and flag, and the store's FP rate. */
export function lanesCsv(r: StoreLanesResponse): CsvColumn<Lane>[] {
  return [
    { header: 'Lane', value: (l) => l.laneId },
    { header: 'Detections', value: (l) => l.detections },
    { header: 'Recovered', value: (l) => l.outcomes.recovered },
    { header: 'Confirmed loss', value: (l) => l.outcomes.confirmed_loss },
    { header: 'False positive', value: (l) => l.outcomes.false_positive },
    { header: 'Open', value: (l) => l.outcomes.open },
    { header: 'False-positive rate (0-1)', value: (l) => l.falsePositiveRate },
    { header: 'Flagged', value: (l) => (l.flagged ? 'yes' : 'no') },
    { header: 'Store false-positive rate (0-1)', value: () => r.store.falsePositiveRate },
  ];
}
