import {
  type FleetHealthResponse,
  get,
  type ImpactResponse,
  type StoreShrinkResponse,
} from './api.js';
import { attachCsvDownload } from './csv-download.js';
import { h, table } from './dom.js';
import { count } from './format.js';
import { regionQuery, type ViewContext } from './view-context.js';

/** An instant as the page shows it: date and minute, UTC. */
const instant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const age = (seconds: number) =>
  seconds === 0
    ? 'none'
    : seconds < 3_600
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3_600).toFixed(1)} h`;

const clock = (ms: number) =>
  Math.abs(ms) < 1_000 ? '0 s' : `${ms > 0 ? '+' : '−'}${Math.round(Math.abs(ms) / 1_000)} s`;

/**
 * The line beside a store's figures: how many of its lanes report against those registered,
 * which devices are silent, and up to when its figures are complete ("38 of 40 lanes
 * reporting; complete through …").
 */
export function coverageLine(coverage: StoreShrinkResponse['coverage']): HTMLElement {
  if (coverage === undefined) {
    return h(
      'p',
      { class: 'coverage', 'data-coverage': 'unknown' },
      'Coverage unknown: no device of this store has reported its status yet.',
    );
  }
  const through =
    coverage.completeThrough === undefined
      ? 'no device reporting'
      : `complete through ${instant(coverage.completeThrough)}`;
  const { lanes } = coverage;
  const gap = coverage.silent.length > 0 || lanes.missing > 0 || coverage.gapDays.length > 0;
  return h(
    'p',
    {
      class: gap ? 'coverage gap' : 'coverage',
      'data-coverage': gap ? 'gap' : 'complete',
    },
    `${lanes.reporting} of ${lanes.registered ?? lanes.known} lanes reporting` +
      (lanes.registered === undefined ? ' (lane count not registered)' : '') +
      `; ${through}`,
    coverage.gapDays.length > 0 &&
      `; ${coverage.gapDays.length} ${coverage.gapDays.length === 1 ? 'day' : 'days'} of the period with a gap`,
    coverage.silent.length > 0 &&
      `. Silent: ${coverage.silent
        .slice(0, 5)
        .map((s) => `${s.deviceId} (since ${instant(s.lastSeenAt)})`)
        .join(
          ', ',
        )}${coverage.silent.length > 5 ? ` and ${coverage.silent.length - 5} more` : ''}.`,
  );
}

/**
 * The line beside the overview's figures: how many of the scope's stores report, how many have
 * gaps, and up to when the figures are complete.
 */
export function scopeCoverageLine(coverage: ImpactResponse['coverage']): HTMLElement {
  if (coverage.stores === 0) {
    return h(
      'p',
      { class: 'coverage', 'data-coverage': 'unknown' },
      "Coverage unknown: no store has reported its devices' status yet.",
    );
  }
  const gaps = coverage.storesWithGaps;
  return h(
    'p',
    {
      class: gaps > 0 ? 'coverage gap' : 'coverage',
      'data-coverage': gaps > 0 ? 'gap' : 'complete',
    },
    `${count(coverage.lanesReporting)} of ${count(coverage.lanesRegistered)} lanes reporting ` +
      `in ${count(coverage.storesReporting)} of ${count(coverage.stores)} stores` +
      (gaps > 0 ? `; ${count(gaps)} stores with lanes not reporting (see Fleet)` : '') +
      (coverage.storesWithoutLaneCount > 0
        ? `; ${count(coverage.storesWithoutLaneCount)} stores without a registered lane count`
        : '') +
      (coverage.completeThrough === undefined
        ? ''
        : `; complete through ${instant(coverage.completeThrough)}`),
  );
}

/**
 * Fleet health: the stores with lanes missing, silent devices, a backlog or a bad clock, worst first, and a
 * summary of every store read. Leadership picks a region (the region filter); a region
 * manager sees theirs, a store manager their stores.
 */
export async function renderFleet(ctx: ViewContext): Promise<HTMLElement> {
  const region = regionQuery(ctx);
  if (ctx.claims.role === 'leadership' && region === undefined) {
    return h(
      'section',
      { 'data-view': 'fleet', 'data-state': 'choose-region' },
      h('h2', {}, 'Fleet health'),
      h('p', {}, 'Fleet health is read one region at a time: pick a region in the filter above.'),
    );
  }
  const r = await get<FleetHealthResponse>('/v1/fleet/health', { region, limit: '200' });
  const s = r.summary;
  return h(
    'section',
    { 'data-view': 'fleet' },
    h('h2', {}, 'Fleet health'),
    h(
      'p',
      { class: 'period', 'data-summary': '' },
      `${count(s.lanesReporting)} lanes reporting, ${count(s.lanesMissing)} missing, ` +
        `${count(s.devicesReporting)} of ${count(s.devicesKnown)} devices in ${count(s.stores)} stores; ` +
        `${count(s.storesNeedingAttention)} need attention` +
        (s.completeThrough === undefined
          ? ''
          : `; complete through ${instant(s.completeThrough)}`) +
        ` (as of ${instant(r.asOf)})`,
    ),
    r.stores.length === 0
      ? h(
          'p',
          { 'data-state': 'healthy' },
          'No store has lanes missing, silent devices, a backlog or a bad clock.',
        )
      : fleetTable(r.stores),
    r.truncated && h('p', {}, 'More stores need attention than are listed here.'),
  );
}

function fleetTable(stores: FleetHealthResponse['stores']): HTMLElement {
  const t = table(
    'Stores needing attention, worst first',
    [
      'Store',
      'Lanes reporting',
      'Devices reporting',
      'Silent',
      'Oldest unsent',
      'Worst clock',
      'Versions',
      'Complete through',
    ],
    stores.map((st) => [
      st.storeId,
      `${st.lanes.reporting} of ${st.lanes.registered ?? st.lanes.known}`,
      `${st.reporting} of ${st.known}`,
      st.silent.map((d) => d.deviceId).join(', ') || 'none',
      age(st.backlogAgeSeconds),
      clock(st.maxClockOffsetMs),
      Object.entries(st.daemonVersions)
        .map(([v, n]) => `${v} ×${n}`)
        .join(', '),
      st.completeThrough === undefined ? '-' : instant(st.completeThrough),
    ]),
  );
  const rows = t.querySelectorAll('tbody tr');
  for (const [i, st] of stores.entries()) rows[i]?.setAttribute('data-store', st.storeId);
  const wrap = h('div', { class: 'table' }, t);
  attachCsvDownload(
    wrap,
    'fleet-health.csv',
    [
      { header: 'Store', value: (st) => st.storeId },
      { header: 'Lanes reporting', value: (st) => st.lanes.reporting },
      { header: 'Lanes registered', value: (st) => st.lanes.registered ?? st.lanes.known },
      { header: 'Devices reporting', value: (st) => st.reporting },
      { header: 'Devices known', value: (st) => st.known },
      { header: 'Silent devices', value: (st) => st.silent.map((d) => d.deviceId).join(' ') },
      { header: 'Oldest unsent (seconds)', value: (st) => st.backlogAgeSeconds },
      { header: 'Worst clock offset (ms)', value: (st) => st.maxClockOffsetMs },
      {
        header: 'Versions',
        value: (st) =>
          Object.entries(st.daemonVersions)
            .map(([v, n]) => `${v} x${n}`)
            .join(' '),
      },
      {
        header: 'Complete through (UTC)',
        value: (st) =>
          st.completeThrough === undefined ? null : new Date(st.completeThrough).toISOString(),
      },
    ],
    stores,
  );
  return wrap;
}
