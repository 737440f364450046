import type { HourOfDayResponse } from '#api-schemas';
import { type CsvColumn, centsAsDecimal } from './csv.js';
import { label } from './format.js';

/* No DOM here: the download's columns are unit-tested outside a browser. */

type Hour = HourOfDayResponse['hours'][number];

/** The download of the heat map: the same rows, counts and decimal currency. */
export function hourOfDayCsv(r: HourOfDayResponse): CsvColumn<Hour>[] {
  return [
    { header: 'Hour (store-local)', value: (row) => row.hour },
    ...r.categories.map(
      (k): CsvColumn<Hour> => ({
        header: `${label(k)} (detections)`,
        value: (row) => row.detectionsByCategory[k] ?? 0,
      }),
    ),
    { header: `Detected (${r.currency})`, value: (row) => centsAsDecimal(row.lossDetectedCents) },
    { header: `Prevented (${r.currency})`, value: (row) => centsAsDecimal(row.lossPreventedCents) },
  ];
}
