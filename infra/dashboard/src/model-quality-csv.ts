import { type CsvColumn, centsAsDecimal } from './csv.js';
import { label } from './format.js';

/* No DOM here: the download's columns are unit-tested outside a browser. */

/**
 * The figures the model-quality and store-lanes routes answer with. Declared here, field for
 * field as the routes describe them, until their schemas are exported from `#api-schemas`.
 */
export interface Outcomes {
  readonly recovered: number;
  readonly confirmed_loss: number;
  readonly false_positive: number;
  readonly open: number;
}
export interface Figures {
  readonly detections: number;
  readonly outcomes: Outcomes;
  readonly falsePositiveRate: number | null;
  readonly lossPreventedCents: number;
  readonly lossPreventedPerDetectionCents: number | null;
}
export interface ModelVersion {
  readonly model: string;
  readonly version: string;
  readonly total: Figures;
  readonly categories: readonly ({ readonly category: string } & Figures)[];
}

/** One row of the side-by-side table: a category (or the total) under versions a and b. */
export interface CompareRow {
  readonly category: string | null;
  readonly a: Figures | null;
  readonly b: Figures | null;
}

const ZERO: Figures = {
  detections: 0,
  outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 0, open: 0 },
  falsePositiveRate: null,
  lossPreventedCents: 0,
  lossPreventedPerDetectionCents: null,
};

/** b − a, or null when either side has no figure. */
export function diff(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : b - a;
}

/** The categories either version saw (in first-seen order), then the total. */
export function compareRows(a: ModelVersion, b: ModelVersion): CompareRow[] {
  const cats: string[] = [];
  for (const c of [...a.categories, ...b.categories])
    if (!cats.includes(c.category)) cats.push(c.category);
  const find = (v: ModelVersion, k: string): Figures =>
    v.categories.find((c) => c.category === k) ?? ZERO;
  return [
    ...cats.map((k) => ({ category: k, a: find(a, k), b: find(b, k) })),
    { category: null, a: a.total, b: b.total },
  ];
}

function name(v: ModelVersion): string {
  return `${v.model}@${v.version}`;
}

function pct(rate: number | null | undefined): number | null {
  return rate === null || rate === undefined ? null : Math.round(rate * 10000) / 100;
}

function money(cents: number | null | undefined): number | null {
  return cents === null || cents === undefined ? null : centsAsDecimal(cents);
}

/** The download of the side-by-side table: the same rows, each figure for a, b and b − a. */
export function modelCompareCsv(
  a: ModelVersion,
  b: ModelVersion,
  currency: string,
): CsvColumn<CompareRow>[] {
  const A = name(a);
  const B = name(b);
  const three = (
    what: string,
    get: (f: Figures) => number | null,
    out: (n: number | null) => number | null = (n) => n,
  ): CsvColumn<CompareRow>[] => [
    { header: `${what} ${A}`, value: (r) => out(r.a ? get(r.a) : null) },
    { header: `${what} ${B}`, value: (r) => out(r.b ? get(r.b) : null) },
    {
      header: `${what} (b - a)`,
      value: (r) => out(diff(r.a ? get(r.a) : null, r.b ? get(r.b) : null)),
    },
  ];
  return [
    { header: 'Category', value: (r) => (r.category === null ? 'Total' : label(r.category)) },
    ...three('Detections', (f) => f.detections),
    ...three('Recovered', (f) => f.outcomes.recovered),
    ...three('Confirmed loss', (f) => f.outcomes.confirmed_loss),
    ...three('False positive', (f) => f.outcomes.false_positive),
    ...three('Open', (f) => f.outcomes.open),
    ...three(
      'FP rate (%)',
      (f) => f.falsePositiveRate,
      (n) => (n === null ? null : pct(n)),
    ),
    ...three(
      `Prevented per detection (${currency})`,
      (f) => f.lossPreventedPerDetectionCents,
      money,
    ),
  ];
}

export interface Lane {
  readonly laneId: string;
  readonly detections: number;
  readonly outcomes: Outcomes;
  readonly falsePositiveRate: number | null;
  readonly flagged: boolean;
}

/** The download of a store's lanes table: the same rows and flag. */
export function lanesCsv(): CsvColumn<Lane>[] {
  return [
    { header: 'Lane', value: (l) => l.laneId },
    { header: 'Detections', value: (l) => l.detections },
    { header: 'Recovered', value: (l) => l.outcomes.recovered },
    { header: 'Confirmed loss', value: (l) => l.outcomes.confirmed_loss },
    { header: 'False positive', value: (l) => l.outcomes.false_positive },
    { header: 'Open', value: (l) => l.outcomes.open },
    { header: 'FP rate (%)', value: (l) => pct(l.falsePositiveRate) },
    { header: 'Flagged', value: (l) => (l.flagged ? 'yes' : 'no') },
  ];
}

interface Period {
  readonly from: string;
  readonly to: string;
}
interface Cost {
  readonly itemsRead: number;
  readonly readUnits: number;
  readonly queries: number;
}

/** GET /v1/model-quality, as the route describes it. */
export interface ModelQualityResponse {
  readonly period: Period;
  readonly storeId: string | null;
  readonly region: string;
  readonly currency: string;
  readonly versions: readonly ModelVersion[];
  readonly compare: null | {
    readonly a: { readonly model: string; readonly version: string } & Partial<Figures>;
    readonly b: { readonly model: string; readonly version: string } & Partial<Figures>;
    readonly storesWithBoth: readonly string[];
  };
  readonly stores: readonly string[];
  readonly truncated: boolean;
  readonly storesActive: number;
  readonly cost: Cost;
}

/** GET /v1/stores/{storeId}/lanes, as the route describes it. */
export interface StoreLanesResponse {
  readonly period: Period;
  readonly storeId: string;
  readonly region: string;
  readonly currency: string;
  readonly store: { readonly detections: number; readonly falsePositiveRate: number | null };
  readonly lanes: readonly Lane[];
  readonly flagRule: string;
  readonly cost: Cost;
}
