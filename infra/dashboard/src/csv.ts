/** A cell: a figure stays a number; text is quoted and guarded; null is an empty cell. */
export type CsvValue = string | number | null | undefined;

/** One column of a download: its header (naming the unit) and how a row gives its cell. */
export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

/**
 * A UTF-8 byte order mark opens every file: Excel, where most of these downloads are opened,
 * reads a CSV without one in the machine's legacy code page and garbles any non-ASCII store
 * or team name; LibreOffice, Numbers, pandas (`utf-8-sig`) and most CSV readers skip it.
 */
export const BOM = '\uFEFF';

/** A plain number written as text (`-12.5`, `+3`, `1e3`): left alone by the formula guard. */
const PLAIN_NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
/** What a spreadsheet takes for the start of a formula (or hides one behind). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`,
 * `-1+1`) gets a leading `'`, which shows it as text; plain numbers are kept as they are.
 */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled. */
export function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return quoteField(guardFormula(value));
}

/** The CSV text (without the BOM): a header line, then a line a row, CRLF after each. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [
    columns.map((c) => cell(c.header)),
    ...rows.map((row) => columns.map((c) => cell(c.value(row)))),
  ];
  return lines.map((fields) => `${fields.join(',')}\r\n`).join('');
}

/** Integer cents as a decimal amount of the currency (`123456` → `1234.56`), for a CSV cell. */
export const centsAsDecimal = (cents: number): number => Math.round(cents) / 100;
