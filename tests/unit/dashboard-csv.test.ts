import { describe, expect, it } from 'vitest';
import { centsAsDecimal, guardFormula, quoteField, toCsv } from '../../infra/dashboard/src/csv.js';

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
});
