import * as ChartJs from 'chart.js';
import { Chart, type ChartConfiguration } from 'chart.js';
import { h, table } from './dom.js';

// Only the parts of Chart.js the views draw, so the bundle stays small.
Chart.register(
  ChartJs.ArcElement,
  ChartJs.BarController,
  ChartJs.BarElement,
  ChartJs.CategoryScale,
  ChartJs.DoughnutController,
  ChartJs.Filler,
  ChartJs.Legend,
  ChartJs.LinearScale,
  ChartJs.LineController,
  ChartJs.LineElement,
  ChartJs.PointElement,
  ChartJs.Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

export const PALETTE = [
  '#1b6ac9',
  '#e07b00',
  '#2e9d5a',
  '#c2334d',
  '#7a4fc4',
  '#6b7280',
  '#0f9bb3',
];

const live: Chart[] = [];
let pending: { canvas: HTMLCanvasElement; config: ChartConfiguration }[] = [];

/** Destroys the charts of the previous render. */
export function clearCharts(): void {
  for (const chart of live.splice(0)) chart.destroy();
}

/** Draws the charts of the view just put in the page (a canvas must be attached to size it). */
export function mountCharts(): void {
  const draw = pending;
  pending = [];
  // A view dropped for a newer one never got attached: its charts are skipped.
  for (const { canvas, config } of draw)
    if (canvas.isConnected) live.push(new Chart(canvas, config));
}

/**
 * A chart with a title, a one-line description for screen readers, and the same figures as
 * a table behind "Show as table".
 */
export function chartCard(
  id: string,
  title: string,
  description: string,
  config: ChartConfiguration,
  tableHeaders: string[],
  tableRows: (string | number)[][],
  note: HTMLElement | null = null,
): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': description });
  const card = h(
    'section',
    { class: 'card chart', 'data-chart': id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    h('div', { class: 'canvas' }, canvas),
    note,
    h('details', {}, h('summary', {}, 'Show as table'), table(title, tableHeaders, tableRows)),
  );
  pending.push({ canvas, config });
  return card;
}

/** How a day with a gap is drawn on a line: a hollow red triangle, where the others are dots. */
export function gapPoints(labels: readonly string[], gaps: ReadonlyMap<string, string>) {
  const gap = (i: number) => gaps.has(labels[i] ?? '');
  return (colour: string | undefined) => ({
    pointStyle: labels.map((_, i) => (gap(i) ? 'triangle' : 'circle')),
    pointRadius: labels.map((_, i) => (gap(i) ? 7 : 3)),
    pointBorderColor: labels.map((_, i) => (gap(i) ? GAP_COLOUR : (colour ?? GAP_COLOUR))),
  });
}

export const GAP_COLOUR = '#c2334d';

/** The note under a chart that names its days with a gap (nothing when there is none). */
export function gapNote(gaps: ReadonlyMap<string, string>): HTMLElement | null {
  if (gaps.size === 0) return null;
  const days = [...gaps];
  return h(
    'p',
    { class: 'gap-note', 'data-gap-days': days.map(([d]) => d).join(' ') },
    `▲ Days with a gap (figures miss some lanes' events): ${days
      .slice(0, 7)
      .map(([d, why]) => `${d} (${why})`)
      .join(', ')}${days.length > 7 ? ` and ${days.length - 7} more` : ''}.`,
  );
}
