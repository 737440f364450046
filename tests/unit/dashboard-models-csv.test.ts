import { describe, expect, it } from 'vitest';
import type { StoreLanesResponse } from '../../functions/impact-api/schemas.js';
import { toCsv } from '../../infra/dashboard/src/csv.js';
import { money } from '../../infra/dashboard/src/format.js';
import {
  type CompareRow,
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
import { slotPeriod } from '../../infra/dashboard/src/period.js';

/** Figures with `fp` of `resolved` resolved outcomes false positives, and `open` unresolved. */
const fig = (resolved: number, fp: number, open: number, prevented: number): Figures => ({
  detections: resolved + open,
  outcomes: { recovered: resolved - fp, confirmed_loss: 0, false_positive: fp, open },
  falsePositiveRate: resolved === 0 ? null : fp / resolved,
  lossPreventedCents: prevented,
  lossPreventedPerDetectionCents: resolved + open === 0 ? null : prevented / (resolved + open),
});

const ZERO = fig(0, 0, 0, 0);
/** A version's figures as the API gives them: every category, zeros included, and the total. */
const version = (
  v: string,
  cats: { walkout?: Figures; ticket_switch?: Figures },
  total: Figures,
): VersionQuality => ({
  model: 'shrink-vision',
  version: v,
  total,
  categories: (['walkout', 'ticket_switch', 'missed_scan'] as const).map((category) => ({
    category,
    ...(category === 'missed_scan' ? ZERO : (cats[category] ?? ZERO)),
  })),
});

/** Over every store read. 4.1.0 never saw a ticket switch; 4.2.1's two are not resolved yet. */
const v410 = version('4.1.0', { walkout: fig(10, 4, 0, 100_000) }, fig(10, 4, 0, 100_000));
const v421 = version(
  '4.2.1',
  { walkout: fig(6, 1, 2, 120_000), ticket_switch: fig(0, 0, 2, 60_000) },
  fig(6, 1, 4, 180_000),
);
const other: VersionQuality = {
  model: '(other)',
  version: '(other)',
  total: fig(40, 10, 0, 500_000),
  categories: [],
};
const v300: VersionQuality = { ...v410, version: '3.0.0', total: fig(2, 0, 0, 1_000) };

/** The answer's like-for-like figures: the two versions over the one store that ran both. */
const compare: Comparison = {
  a: version('4.1.0', { walkout: fig(5, 2, 0, 50_000) }, fig(5, 2, 0, 50_000)),
  b: version(
    '4.2.1',
    { walkout: fig(3, 0, 0, 40_000), ticket_switch: fig(1, 0, 1, 30_000) },
    fig(4, 0, 1, 70_000),
  ),
  storesWithBoth: ['store-0003'],
};

describe('model versions to compare', () => {
  it('defaults to the two named versions with most detections, never the (other) bucket', () => {
    const busy: VersionQuality = { ...v421, total: fig(30, 3, 0, 0) };
    // (other) has the most detections of all, but is not one version; 3.0.0 has the fewest
    expect(comparable([v300, other, v410, busy]).map((v) => v.version)).toEqual([
      '4.2.1',
      '4.1.0',
      '3.0.0',
    ]);
    // 4.2.1 is the busier, but the earlier version is a: b - a is what 4.2.1 changed
    expect(defaultCompare([v300, other, v410, busy])).toBe(
      'shrink-vision@4.1.0,shrink-vision@4.2.1',
    );
    expect(defaultCompare([v300, other, busy])).toBe('shrink-vision@3.0.0,shrink-vision@4.2.1');
    // versions in numeric order, not text order
    const v10: VersionQuality = { ...v421, version: '4.10.0' };
    expect(defaultCompare([v10, v421])).toBe('shrink-vision@4.2.1,shrink-vision@4.10.0');
    // equal detections: by name
    expect(comparable([v421, v410]).map((v) => v.version)).toEqual(['4.1.0', '4.2.1']);
  });

  it('asks for the last 31 days of a longer period, the most the route reads', () => {
    expect(slotPeriod({ from: '2026-09-01', to: '2026-11-30' })).toEqual({
      from: '2026-10-31',
      to: '2026-11-30',
    });
    expect(slotPeriod({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
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
  it('compares like for like over the stores that ran both, then each total over every store read', () => {
    const rows = compareRows(v410, v421, compare);
    // missed_scan: nothing on either side, no row
    expect(rows.map((r) => [r.category, r.over])).toEqual([
      ['walkout', 'both'],
      ['ticket_switch', 'both'],
      [null, 'both'],
      [null, 'all'],
    ]);
    expect(rows[0]?.a).toMatchObject(fig(5, 2, 0, 50_000));
    expect(rows[2]?.b).toEqual(fig(4, 0, 1, 70_000));
    expect(rows[3]?.b).toEqual(v421.total);
  });

  it('compares over every store read when no store ran both, or the answer compares another pair', () => {
    const expected = [
      ['walkout', 'all'],
      ['ticket_switch', 'all'],
      [null, 'all'],
    ];
    const shape = (rows: CompareRow[]) => rows.map((r) => [r.category, r.over]);
    expect(shape(compareRows(v410, v421, null))).toEqual(expected);
    expect(shape(compareRows(v410, v421, { ...compare, storesWithBoth: [] }))).toEqual(expected);
    expect(shape(compareRows(v410, v300, compare))).toEqual([
      ['walkout', 'all'],
      [null, 'all'],
    ]);
    // 4.1.0 never saw a ticket switch: zeros, and no rate
    expect(compareRows(v410, v421, null)[1]?.a).toMatchObject(ZERO);
  });

  it('shows a, b and b - a for each figure, signed, a rate difference in points', () => {
    const cells = compareTable(compareRows(v410, v421, compare), (c) => money(c, 'USD'));
    // Row label, then [a, b, b - a] for detections, recovered, confirmed, FP, open, FP rate,
    // loss prevented, prevented per detection.
    expect(cells[2]).toEqual([
      'Total over stores that ran both',
      ...['5', '5', '0'],
      ...['3', '4', '+1'],
      ...['0', '0', '0'],
      ...['2', '0', '−2'],
      ...['0', '1', '+1'],
      ...['40.0%', '0.0%', '−40.0 pts'],
      ...['$500.00', '$700.00', '+$200.00'],
      ...['$100.00', '$140.00', '+$40.00'],
    ]);
    expect(cells[3]).toEqual([
      'Total over every store read',
      ...['10', '10', '0'],
      ...['6', '5', '−1'],
      ...['0', '0', '0'],
      ...['4', '1', '−3'],
      ...['0', '4', '+4'],
      ...['40.0%', '16.7%', '−23.3 pts'],
      ...['$1,000', '$1,800', '+$800.00'],
      ...['$100.00', '$180.00', '+$80.00'],
    ]);
    // ticket switch over the store with both: a saw none (no rate), b one resolved
    expect(cells[1]?.[0]).toBe('Ticket switch');
    expect(cells[1]?.slice(16, 19)).toEqual(['–', '0.0%', '–']);
    expect(cells[1]?.slice(22, 25)).toEqual(['–', '$150.00', '–']);
    // over every store read, neither side has a resolved ticket switch: no rate, no difference
    const all = compareTable(compareRows(v410, v421, null), (c) => money(c, 'USD'));
    expect(all[1]?.slice(16, 19)).toEqual(['–', '–', '–']);
    expect(all[1]?.slice(1, 4)).toEqual(['0', '2', '+2']);
  });
});

describe('model quality csv', () => {
  it('writes a, b and b - a for each figure: counts, rates from 0 to 1, money as decimals', () => {
    const rows = compareRows(v410, v421, compare);
    const lines = toCsv(modelCompareCsv(v410, v421, 'USD'), rows)
      .trimEnd()
      .split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header).toHaveLength(2 + 8 * 3);
    expect(header.slice(0, 5)).toEqual([
      'Category',
      'Stores',
      'Detections a shrink-vision@4.1.0',
      'Detections b shrink-vision@4.2.1',
      'Detections b - a',
    ]);
    const cell = (line: number, h: string) => {
      expect(header).toContain(h);
      return (lines[line]?.split(',') ?? [])[header.indexOf(h)];
    };
    expect(lines.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'Category,Stores',
      'Walkout,ran both',
      'Ticket switch,ran both',
      'Total,ran both',
      'Total,every store read',
    ]);
    expect(cell(3, 'False-positive rate (0-1) a shrink-vision@4.1.0')).toBe('0.4');
    expect(cell(3, 'False-positive rate (0-1) b - a')).toBe('-0.4');
    expect(cell(4, 'Detections b - a')).toBe('0');
    expect(cell(4, 'Open b - a')).toBe('4');
    expect(cell(4, 'False-positive rate (0-1) b shrink-vision@4.2.1')).toBe(String(1 / 6));
    expect(Number(cell(4, 'False-positive rate (0-1) b - a'))).toBeCloseTo(1 / 6 - 0.4, 12);
    expect(cell(4, 'Loss prevented (USD) b shrink-vision@4.2.1')).toBe('1800');
    expect(cell(4, 'Loss prevented (USD) b - a')).toBe('800');
    expect(cell(4, 'Prevented per detection (USD) a shrink-vision@4.1.0')).toBe('100');
    expect(cell(4, 'Prevented per detection (USD) b - a')).toBe('80');
    // a never saw ticket switches: an empty rate cell, and no difference
    expect(cell(2, 'False-positive rate (0-1) a shrink-vision@4.1.0')).toBe('');
    expect(cell(2, 'False-positive rate (0-1) b shrink-vision@4.2.1')).toBe('0');
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
