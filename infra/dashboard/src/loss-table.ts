import { type CsvColumn, centsAsDecimal } from './csv.js';

/** A day's loss figures, as the impact and store-shrink series give them. */
interface LossDay {
  readonly period: string;
  readonly lossDetectedCents: number;
  readonly lossPreventedCents: number;
  readonly confirmedLossCents: number;
}

/**
 * The table behind a loss-by-day chart: its headers, and a row a day in `money`, with the
 * day's coverage (`gaps`: the days with a gap, and why).
 */
export function lossByDayTable(
  days: readonly LossDay[],
  money: (cents: number) => string,
  gaps: ReadonlyMap<string, string> = new Map(),
): [headers: string[], rows: string[][]] {
  return [
    ['Day', 'Detected', 'Prevented', 'Confirmed loss', 'Coverage'],
    days.map((d) => [
      d.period,
      money(d.lossDetectedCents),
      money(d.lossPreventedCents),
      money(d.confirmedLossCents),
      gaps.has(d.period) ? `gap: ${gaps.get(d.period)}` : 'complete',
    ]),
  ];
}

/** The same table's CSV columns: money as decimal `currency`, coverage as text. */
export function lossByDayCsv(
  currency: string,
  gaps: ReadonlyMap<string, string> = new Map(),
): CsvColumn<LossDay>[] {
  return [
    { header: 'Day', value: (d) => d.period },
    { header: `Detected (${currency})`, value: (d) => centsAsDecimal(d.lossDetectedCents) },
    { header: `Prevented (${currency})`, value: (d) => centsAsDecimal(d.lossPreventedCents) },
    { header: `Confirmed loss (${currency})`, value: (d) => centsAsDecimal(d.confirmedLossCents) },
    {
      header: 'Coverage',
      value: (d) => (gaps.has(d.period) ? `gap: ${gaps.get(d.period)}` : 'complete'),
    },
  ];
}
