import { describe, expect, it } from 'vitest';
import type { HourOfDayResponse } from '../../functions/impact-api/schemas.js';
import { centsAsDecimal, guardFormula, quoteField, toCsv } from '../../infra/dashboard/src/csv.js';
import { hourOfDayCsv } from '../../infra/dashboard/src/hour-of-day-csv.js';

describe('dashboard csv', () => {
  it('quotes commas, quotes and newlines per RFC 4180, and ends each line with CRLF', () => {
    expect(quoteField('plain')).toBe('plain');
    expect(quoteField('a,b')).toBe('"a,b"');
    expect(quoteField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteField('two\nlines')).toBe('"two\nlines"');
    expect(quoteField('cr\rhere')).toBe('"cr\rhere"');
    const csv = toCsv(
      [
        { header: 'Store', value: (r: { id: string; n: number }) => r.id },
        { header: 'Count', value: (r) => r.n },
      ],
      [
        { id: 'Main St, "north"', n: 3 },
        { id: 'b', n: -12.5 },
      ],
    );
    expect(csv).toBe('Store,Count\r\n"Main St, ""north""",3\r\nb,-12.5\r\n');
  });

  it('guards cells a spreadsheet would run as a formula, but not plain numbers', () => {
    for (const bad of ['=1+1', '+cmd', '-1+1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("x")']) {
      expect(guardFormula(bad)).toBe(`'${bad}`);
    }
    for (const ok of ['-12.5', '+3', '-0', '1e3', '-.5', 'store-0001', 'a=b']) {
      expect(guardFormula(ok)).toBe(ok);
    }
    expect(toCsv([{ header: 'x', value: (r: string) => r }], ['=cmd|"/C calc"!A0'])).toBe(
      'x\r\n"\'=cmd|""/C calc""!A0"\r\n',
    );
  });

  it('writes numbers as numbers, an empty cell for null or a non-finite number', () => {
    const csv = toCsv(
      [{ header: 'v', value: (r: number | null) => r }],
      [0, -3, 1234.56, null, Number.NaN],
    );
    expect(csv).toBe('v\r\n0\r\n-3\r\n1234.56\r\n\r\n\r\n');
  });

  it('turns cents into decimal currency', () => {
    expect(centsAsDecimal(123456)).toBe(1234.56);
    expect(centsAsDecimal(5)).toBe(0.05);
    expect(centsAsDecimal(0)).toBe(0);
  });

  it('downloads the hour-of-day heat map as its 24 rows: counts per category, loss in decimal currency', () => {
    const r = {
      period: { from: '2026-11-01', to: '2026-11-30' },
      storeId: 'store-0001',
      region: 'us-east',
      currency: 'USD',
      categories: ['walkout', 'missed_scan'],
      hours: Array.from({ length: 24 }, (_, hour) => ({
        hour,
        detections: hour === 18 ? 5 : 0,
        detectionsByCategory: hour === 18 ? { walkout: 2, missed_scan: 3 } : {},
        lossDetectedCents: hour === 18 ? 12_345 : 0,
        lossPreventedCents: hour === 18 ? 6_789 : 0,
      })),
    } as unknown as HourOfDayResponse;
    const lines = toCsv(hourOfDayCsv(r), r.hours).split('\r\n');
    expect(lines[0]).toBe(
      'Hour (store-local),Walkout (detections),Missed scan (detections),Detected (USD),Prevented (USD)',
    );
    expect(lines).toHaveLength(26); // header, 24 hours, the empty string after the last CRLF
    expect(lines[19]).toBe('18,2,3,123.45,67.89');
    expect(lines[1]).toBe('0,0,0,0,0');
  });
});
