import { describe, expect, it } from 'vitest';
import type { StoreLanesResponse } from '../../functions/impact-api/schemas.js';
import { toCsv } from '../../infra/dashboard/src/csv.js';
import { money } from '../../infra/dashboard/src/format.js';
import {
  type Comparison,
  comparable,
  compareRows,
  compareTable,
  defaultCompare,
  diff,
  type Figures,
  lanesCsv,
  lanesTable,
  modelCompareCsv,
  type VersionQuality,
} from '../../infra/dashboard/src/model-quality-csv.js';

/** Figures with `fp` of `resolved` resolved outcomes false positives, and `open` unresolved. */
const fig = (resolved: number, fp: number, open: number, prevented: number): Figures => ({
  detections: resolved + open,
  outcomes: { recovered: resolved - fp, confirmed_loss: 0, false_positive: fp, open },
  falsePositiveRate: resolved === 0 ? null : fp / resolved,
  lossPreventedCents: prevented,
  lossPreventedPerDetectionCents: resolved + open === 0 ? null : prevented / (resolved + open),
});

const v410: VersionQuality = {
  model: 'shrink-vision',
  version: '4.1.0',
  total: fig(10, 4, 0, 100_000),
  categories: [{ category: 'walkout', ...fig(10, 4, 0, 100_000) }],
};
const v421: VersionQuality = {
  model: 'shrink-vision',
  version: '4.2.1',
  total: fig(8, 1, 4, 180_000),
  categories: [
    { category: 'walkout', ...fig(6, 1, 2, 120_000) },
    // 4.1.0 never saw a ticket switch; none of these is resolved yet: no rate
    { category: 'ticket_switch', ...fig(0, 0, 2, 60_000) },
  ],
};
const other: VersionQuality = {
  model: '(other)',
  version: '(other)',
  total: fig(40, 10, 0, 500_000),
  categories: [],
};
const v300: VersionQuality = { ...v410, version: '3.0.0', total: fig(2, 0, 0, 1_000) };

/** The answer's like-for-like totals over the stores that ran both. */
const compare: Comparison = {
  a: { model: 'shrink-vision', version: '4.1.0', ...fig(5, 2, 0, 50_000) },
  b: { model: 'shrink-vision', version: '4.2.1', ...fig(4, 0, 1, 70_000) },
  storesWithBoth: ['store-0002'],
};

describe('model versions to compare', () => {
  it('defaults to the two named versions with most detections, never the (other) bucket', () => {
    // (other) has the most detections of all, but is not one version
    // 4.2.1 is the busier, but the earlier version is a: b - a is what 4.2.1 changed
    expect(defaultCompare([v300, other, v410, v421])).toBe(
      'shrink-vision@4.1.0,shrink-vision@4.2.1',
    );
    // numeric order of versions, not text order
    const v10: VersionQuality = { ...v421, version: '4.10.0' };
    expect(defaultCompare([v10, v421])).toBe('shrink-vision@4.2.1,shrink-vision@4.10.0');
    expect(comparable([v300, other, v410, v421]).map((v) => v.version)).toEqual([
      '4.2.1',
      '4.1.0',
      '3.0.0',
    ]);
  });

  it('has no default with fewer than two named versions', () => {
    expect(defaultCompare([v421, other])).toBeNull();
    expect(defaultCompare([])).toBeNull();
  });

  it('diff is b - a, null when either side has no figure', () => {
    expect(diff(0.4, 0.125)).toBeCloseTo(-0.275);
    expect(diff(0, 0)).toBe(0);
    expect(diff(null, 3)).toBeNull();
    expect(diff(3, null)).toBeNull();
  });
});

describe('the side-by-side rows', () => {
  it('every category either version saw, zero-filled, the total, then the stores that ran both', () => {
    const rows = compareRows(v410, v421, compare);
    expect(rows.map((r) => [r.scope, r.category])).toEqual([
      ['category', 'walkout'],
      ['category', 'ticket_switch'],
      ['total', null],
      ['both', null],
    ]);
    expect(rows[1]?.a).toEqual({
      detections: 0,
      outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 0, open: 0 },
      falsePositiveRate: null,
      lossPreventedCents: 0,
      lossPreventedPerDetectionCents: null,
    });
    expect(rows[2]?.b.detections).toBe(12);
    // the like-for-like row carries the answer's figures only, not the version's name
    expect(rows[3]?.a).toEqual(fig(5, 2, 0, 50_000));
  });

  it('has no like-for-like row when the answer compares another pair', () => {
    expect(compareRows(v410, v300, compare).map((r) => r.scope)).toEqual(['category', 'total']);
    expect(compareRows(v410, v421, null).map((r) => r.scope)).toEqual([
      'category',
      'category',
      'total',
    ]);
  });

  it('shows a, b and b - a for each figure, signed, a rate difference in points', () => {
    const cells = compareTable(compareRows(v410, v421, compare), (c) => money(c, 'USD'));
    // Row label, then [a, b, b - a] for detections, recovered, confirmed, FP, open, FP rate,
    // loss prevented, prevented per detection.
    expect(cells[2]).toEqual([
      'Total',
      '10',
      '12',
      '+2',
      '6',
      '7',
      '+1',
      '0',
      '0',
      '0',
      '4',
      '1',
      '−3',
      '0',
      '4',
      '+4',
      '40.0%',
      '12.5%',
      '−27.5 pts',
      '$1,000',
      '$1,800',
      '+$800.00',
      '$100.00',
      '$150.00',
      '+$50.00',
    ]);
    // ticket switch: a never saw it, b has none resolved: no rate on either side, no difference
    expect(cells[1]?.[0]).toBe('Ticket switch');
    expect(cells[1]?.slice(16, 19)).toEqual(['–', '–', '–']);
    expect(cells[1]?.slice(22, 25)).toEqual(['–', '$300.00', '–']);
    expect(cells[3]?.[0]).toBe('Total over stores that ran both');
    expect(cells[3]?.slice(16, 19)).toEqual(['40.0%', '0.0%', '−40.0 pts']);
  });
});

describe('model quality csv', () => {
  it('writes a, b and b - a for each figure: counts, rates from 0 to 1, money as decimals', () => {
    const rows = compareRows(v410, v421, compare);
    const lines = toCsv(modelCompareCsv(v410, v421, 'USD'), rows)
      .trimEnd()
      .split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header).toHaveLength(1 + 8 * 3);
    expect(header.slice(0, 4)).toEqual([
      'Row',
      'Detections a shrink-vision@4.1.0',
      'Detections b shrink-vision@4.2.1',
      'Detections b - a',
    ]);
    expect(header).toContain('False-positive rate (0-1) a shrink-vision@4.1.0');
    const cell = (line: number, h: string) => (lines[line]?.split(',') ?? [])[header.indexOf(h)];
    expect(lines.map((l) => l.split(',')[0])).toEqual([
      'Row',
      'Walkout',
      'Ticket switch',
      'Total',
      'Total over stores that ran both',
    ]);
    expect(cell(3, 'Detections b - a')).toBe('2');
    expect(cell(3, 'False-positive rate (0-1) a shrink-vision@4.1.0')).toBe('0.4');
    expect(cell(3, 'False-positive rate (0-1) b shrink-vision@4.2.1')).toBe('0.125');
    expect(Number(cell(3, 'False-positive rate (0-1) b - a'))).toBeCloseTo(-0.275, 12);
    expect(cell(3, 'Loss prevented (USD) b shrink-vision@4.2.1')).toBe('1800');
    expect(cell(3, 'Loss prevented (USD) b - a')).toBe('800');
    expect(cell(3, 'Prevented per detection (USD) a shrink-vision@4.1.0')).toBe('100');
    expect(cell(3, 'Prevented per detection (USD) b - a')).toBe('50');
    expect(cell(4, 'False-positive rate (0-1) b - a')).toBe('-0.4');
    // a never saw ticket switches and b has none resolved: empty rate cells, no difference
    expect(cell(2, 'False-positive rate (0-1) a shrink-vision@4.1.0')).toBe('');
    expect(cell(2, 'False-positive rate (0-1) b shrink-vision@4.2.1')).toBe('');
    expect(cell(2, 'False-positive rate (0-1) b - a')).toBe('');
    expect(cell(2, 'Detections b - a')).toBe('2');
  });
});

describe('lanes', () => {
  const r: StoreLanesResponse = {
    period: { from: '2026-11-05', to: '2026-12-04' },
    storeId: 'store-0001',
    region: 'us-east',
    currency: 'USD',
    store: { detections: 37, falsePositiveRate: 0.25 },
    lanes: [
      {
        laneId: 'lane-01',
        detections: 20,
        outcomes: { recovered: 4, confirmed_loss: 2, false_positive: 12, open: 2 },
        falsePositiveRate: 12 / 18,
        flagged: true,
      },
      {
        laneId: 'lane-02',
        detections: 3,
        outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 0, open: 3 },
        falsePositiveRate: null,
        flagged: false,
      },
      {
        laneId: '(other)',
        detections: 14,
        outcomes: { recovered: 10, confirmed_loss: 2, false_positive: 2, open: 0 },
        falsePositiveRate: 2 / 14,
        flagged: false,
      },
    ],
    flagRule: 'A lane is flagged when ...',
    cost: { itemsRead: 30, readUnits: 15, queries: 1 },
  };

  it('shows each lane, the overflow bucket named, its FP rate and the flag', () => {
    expect(lanesTable(r)).toEqual([
      ['lane-01', '20', '4', '2', '12', '2', '66.7%', '⚑ Flagged'],
      ['lane-02', '3', '0', '0', '0', '3', '—', ''],
      ['Other lanes (together)', '14', '10', '2', '2', '0', '14.3%', ''],
    ]);
  });

  it('downloads the same rows: rates from 0 to 1 (empty without resolved outcomes), the flag and the store rate', () => {
    const lines = toCsv(lanesCsv(r), r.lanes).split('\r\n');
    expect(lines[0]).toBe(
      'Lane,Detections,Recovered,Confirmed loss,False positive,Open,False-positive rate (0-1),Flagged,Store false-positive rate (0-1)',
    );
    expect(lines[1]).toBe(`lane-01,20,4,2,12,2,${12 / 18},yes,0.25`);
    expect(lines[2]).toBe('lane-02,3,0,0,0,3,,no,0.25');
    expect(lines[3]).toBe(`(other),14,10,2,2,0,${2 / 14},no,0.25`);
    expect(lines[4]).toBe('');
  });
});
