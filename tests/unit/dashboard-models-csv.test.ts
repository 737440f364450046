import { describe, expect, it } from 'vitest';
import { toCsv } from '../../infra/dashboard/src/csv.js';
import {
  compareRows,
  diff,
  type Figures,
  type Lane,
  lanesCsv,
  type ModelVersion,
  modelCompareCsv,
} from '../../infra/dashboard/src/model-quality-csv.js';

const fig = (d: number, fp: number, prevented: number): Figures => ({
  detections: d,
  outcomes: { recovered: d - fp, confirmed_loss: 0, false_positive: fp, open: 0 },
  falsePositiveRate: d === 0 ? null : fp / d,
  lossPreventedCents: prevented,
  lossPreventedPerDetectionCents: d === 0 ? null : prevented / d,
});

const a: ModelVersion = {
  model: 'scan-gap',
  version: '1.0',
  total: fig(10, 4, 1000),
  categories: [{ category: 'scan_gap', ...fig(10, 4, 1000) }],
};
const b: ModelVersion = {
  model: 'scan-gap',
  version: '2.0',
  total: fig(8, 1, 1200),
  categories: [
    { category: 'scan_gap', ...fig(6, 1, 900) },
    { category: 'ticket_switch', ...fig(2, 0, 300) },
  ],
};

describe('model quality csv', () => {
  it('diff is b - a, null when either side is missing', () => {
    expect(diff(0.4, 0.125)).toBeCloseTo(-0.275);
    expect(diff(null, 3)).toBeNull();
    expect(diff(3, null)).toBeNull();
  });

  it('rows: every category either version saw, zero-filled, then the total', () => {
    const rows = compareRows(a, b);
    expect(rows.map((r) => r.category)).toEqual(['scan_gap', 'ticket_switch', null]);
    expect(rows[1]?.a?.detections).toBe(0);
    expect(rows[1]?.a?.falsePositiveRate).toBeNull();
    expect(rows[2]?.b).toBe(b.total);
  });

  it('writes a, b and b - a for each figure, rates in percent and money as decimals', () => {
    const csv = toCsv(modelCompareCsv(a, b, 'USD'), compareRows(a, b));
    const lines = csv.trimEnd().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 4)).toEqual([
      'Category',
      'Detections scan-gap@1.0',
      'Detections scan-gap@2.0',
      'Detections (b - a)',
    ]);
    const total = lines[3]?.split(',') ?? [];
    const col = (h: string) => total[header.indexOf(h)];
    expect(total[0]).toBe('Total');
    expect(col('Detections (b - a)')).toBe('-2');
    expect(col('FP rate (%) scan-gap@1.0')).toBe('40');
    expect(col('FP rate (%) scan-gap@2.0')).toBe('12.5');
    expect(col('FP rate (%) (b - a)')).toBe('-27.5');
    expect(col('Prevented per detection (USD) scan-gap@2.0')).toBe('1.5');
    expect(col('Prevented per detection (USD) (b - a)')).toBe('0.5');
    const ticket = lines[2]?.split(',') ?? [];
    expect(ticket[0]).toBe('Ticket switch');
    // a never saw the category: no rate, so no difference either
    expect(ticket[header.indexOf('FP rate (%) scan-gap@1.0')]).toBe('');
    expect(ticket[header.indexOf('FP rate (%) (b - a)')]).toBe('');
  });
});

describe('lanes csv', () => {
  it('writes each lane with its outcome mix, FP rate in percent and the flag', () => {
    const lanes: Lane[] = [
      {
        laneId: 'lane-1',
        detections: 4,
        outcomes: { recovered: 1, confirmed_loss: 1, false_positive: 2, open: 0 },
        falsePositiveRate: 0.5,
        flagged: true,
      },
      {
        laneId: 'lane-2',
        detections: 0,
        outcomes: { recovered: 0, confirmed_loss: 0, false_positive: 0, open: 0 },
        falsePositiveRate: null,
        flagged: false,
      },
    ];
    expect(toCsv(lanesCsv(), lanes)).toBe(
      'Lane,Detections,Recovered,Confirmed loss,False positive,Open,FP rate (%),Flagged\r\n' +
        'lane-1,4,1,1,2,0,50,yes\r\n' +
        'lane-2,0,0,0,0,0,,no\r\n',
    );
  });
});
