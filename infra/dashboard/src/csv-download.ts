import { BOM, type CsvColumn, toCsv } from './csv.js';
import { h } from './dom.js';

/**
 * Adds a "Download CSV" button to `container` that saves `rows` (or what `rows()` returns
 * when clicked, for a table that grows or pages) as `filename`. The one helper every table
 * of the dashboard uses: a new table gets its download with one call.
 */
export function attachCsvDownload<T>(
  container: HTMLElement,
  filename: string,
  columns: readonly CsvColumn<T>[],
  rows: readonly T[] | (() => readonly T[] | Promise<readonly T[]>),
): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'csv', 'data-csv': filename },
    'Download CSV',
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const data = typeof rows === 'function' ? await rows() : rows;
      const blob = new Blob([BOM, toCsv(columns, data)], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } finally {
      button.disabled = false;
    }
  });
  container.append(button);
  return button;
}
