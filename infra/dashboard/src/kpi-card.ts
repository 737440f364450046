import { h } from './dom.js';

/** A headline figure: its title, its value and, under them, an optional note (the change). */
export function kpiCard(id: string, title: string, value: string, note?: HTMLElement): HTMLElement {
  return h(
    'div',
    { class: 'card kpi', 'data-kpi': id },
    h('h2', {}, title),
    h('p', { class: 'value' }, value),
    note,
  );
}
