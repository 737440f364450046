import { ulid } from 'ulid';
import type {
  DetectionEvent,
  DetectionOutcomeEvent,
  OncallIncidentEvent,
  TelemetryEvent,
} from '../contract/index.js';
import {
  CATEGORY_MIX,
  LOSS_RANGE,
  laneModel,
  MINUTES_RANGE,
  outcomeMix,
  RESOLUTION_MIX,
} from './event-mix.js';
import type { SimFleet, SimStore } from './fleet.js';
import { between, seededRandom, weighted } from './random.js';

/**
 * A believable past for a simulated fleet: the last `days` store-local days before `anchorMs`
 * (today is left to the live simulation), as the devices would have reported them. Pure and
 * seeded: the same options give the same events, ids and seqs, which is what lets a restart
 * after a crash send the backfill again and have the pipeline's (deviceId, seq) dedup drop
 * what was already counted.
 *
 * Shapes: each store is open 08:00 to 22:00 local and detects only then, more in the evening
 * (17:00 to 21:00) and at weekends; stores differ in volume; about one day in twelve is quiet
 * (a fifth of the usual volume); an outcome follows its detection by 2 to 45 minutes; on-call
 * incidents close every day for every team, more on weekdays.
 */
export interface BackfillOptions {
  readonly fleet: SimFleet;
  readonly seed: number;
  /** Store-local days before the anchor's own day. */
  readonly days: number;
  /** The instant the backfill is planned at: nothing it sends is later. */
  readonly anchorMs: number;
  /** Incident classes to draw from (the processor's configured ones, plus an unknown one). */
  readonly incidentClasses: readonly string[];
  /** Mean detections per store per ordinary weekday. @default 60 */
  readonly detectionsPerStoreDay?: number;
}

export const OPENS_HOUR = 8;
export const CLOSES_HOUR = 22;
const DAY_MS = 86_400_000;

/** Relative detection weight per local hour while open: evenings carry the most loss. */
const HOUR_WEIGHT = (hour: number) => (hour >= 17 && hour < 21 ? 3 : hour >= 12 ? 1.5 : 1);

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local wall clock of an instant, parts by type (one formatter per zone: they are slow to make). */
function wallClock(epochMs: number, timeZone: string): Record<string, string | undefined> {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(epochMs: number, timeZone: string): string {
  const p = wallClock(epochMs, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The local hour (0..23) of an instant in a time zone. */
export const localHourOf = (epochMs: number, timeZone: string): number =>
  Number(wallClock(epochMs, timeZone).hour);

/** The UTC instant of a local wall-clock time (minutes after midnight) on a local date. */
function instantOf(date: string, minute: number, timeZone: string): number {
  const guess = Date.parse(`${date}T00:00:00Z`) + minute * 60_000;
  // The zone's offset at the guess (local minus UTC), applied once and checked once more
  // (a DST change between the two instants moves it by the change).
  const offset = (at: number) => {
    const p = wallClock(at, timeZone);
    const n = (k: string) => Number(p[k] ?? 0);
    const local = Date.UTC(
      n('year'),
      n('month') - 1,
      n('day'),
      n('hour'),
      n('minute'),
      n('second'),
    );
    return local - Math.floor(at / 1000) * 1000;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

/** The events of the backfill, in time order, seqs assigned per device in that order. */
export function generateBackfill(options: BackfillOptions): TelemetryEvent[] {
  if (!Number.isInteger(options.days) || options.days < 1)
    throw new RangeError(`backfill days must be a positive integer, got ${options.days}`);
  const random = seededRandom(options.seed * 7919 + options.days);
  const perDay = options.detectionsPerStoreDay ?? 60;
  const drafts: Omit<TelemetryEvent, 'seq'>[] = [];
  for (const store of options.fleet.stores) {
    // Stores differ: from half to one and a half of the mean.
    const scale = 0.5 + random();
    for (let k = options.days; k >= 1; k--) {
      const date = localDateOf(options.anchorMs - k * DAY_MS, store.timeZone);
      drafts.push(...storeDay(store, date, Math.round(perDay * scale), options, random));
    }
  }
  drafts.push(...incidents(options, random));
  drafts.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  // Below every live run's seqs (those start from the clock at the run's start, x1000).
  const base = (options.anchorMs - (options.days + 2) * DAY_MS) * 1000;
  const seqs = new Map<string, number>();
  return drafts.map((d) => {
    const seq = (seqs.get(d.deviceId) ?? base) + 1;
    seqs.set(d.deviceId, seq);
    return { ...d, seq } as TelemetryEvent;
  });
}

const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

function storeDay(
  store: SimStore,
  date: string,
  mean: number,
  options: BackfillOptions,
  random: () => number,
): Omit<TelemetryEvent, 'seq'>[] {
  const day = weekday(date);
  const weekend = day === 0 || day === 6 ? 1.6 : day === 5 ? 1.25 : 1;
  const quiet = random() < 1 / 12 ? 0.2 : 1;
  const count = Math.max(0, Math.round(mean * weekend * quiet * (0.85 + random() * 0.3)));
  const hours: Record<string, number> = {};
  for (let h = OPENS_HOUR; h < CLOSES_HOUR; h++) hours[String(h)] = HOUR_WEIGHT(h);
  const panels = options.fleet.panels.filter((p) => p.storeId === store.storeId);
  const out: Omit<TelemetryEvent, 'seq'>[] = [];
  for (let i = 0; i < count; i++) {
    const hour = Number(weighted(random, hours));
    const at =
      instantOf(date, hour * 60 + between(random, 0, 59), store.timeZone) +
      between(random, 0, 59_999);
    // A DST gap can move a wall-clock time out of open hours: such a draw is skipped.
    const local = localHourOf(at, store.timeZone);
    if (local < OPENS_HOUR || local >= CLOSES_HOUR || localDateOf(at, store.timeZone) !== date)
      continue;
    const panel = panels[Math.floor(random() * panels.length)] as (typeof panels)[number];
    const category = weighted(random, CATEGORY_MIX);
    const [lo, hi] = LOSS_RANGE[category];
    const model = laneModel(panel);
    const detection: Omit<DetectionEvent, 'seq'> = {
      schemaVersion: 1,
      eventId: ulid(at, random),
      deviceId: panel.deviceId,
      occurredAt: new Date(at).toISOString(),
      type: 'detection',
      storeId: store.storeId,
      detectionId: ulid(at, random),
      laneId: panel.laneId,
      category,
      confidence: Math.round((0.5 + random() * 0.49) * 1000) / 1000,
      estimatedLossCents: between(random, lo, hi),
      model,
    };
    out.push(detection);
    if (random() >= 0.8) continue;
    const kind = weighted(random, outcomeMix(panel, model));
    const recovered =
      kind === 'recovered'
        ? detection.estimatedLossCents
        : kind === 'confirmed_loss' && random() < 0.5
          ? between(random, 0, Math.floor(detection.estimatedLossCents / 2))
          : 0;
    const resolvedAt = at + between(random, 2, 45) * 60_000;
    const outcome: Omit<DetectionOutcomeEvent, 'seq'> = {
      schemaVersion: 1,
      eventId: ulid(resolvedAt, random),
      deviceId: panel.deviceId,
      occurredAt: new Date(resolvedAt).toISOString(),
      type: 'detection_outcome',
      storeId: store.storeId,
      detectionId: detection.detectionId,
      outcome: kind,
      recoveredCents: recovered,
    };
    out.push(outcome);
  }
  return out;
}

function incidents(options: BackfillOptions, random: () => number): Omit<TelemetryEvent, 'seq'>[] {
  const out: Omit<OncallIncidentEvent, 'seq'>[] = [];
  const stores = options.fleet.stores;
  for (let k = options.days; k >= 1; k--) {
    const date = localDateOf(options.anchorMs - k * DAY_MS, 'UTC');
    const day = weekday(date);
    for (const agent of options.fleet.agents) {
      const count = between(random, 1, day === 0 || day === 6 ? 3 : 6);
      for (let i = 0; i < count; i++) {
        const resolution = weighted(random, RESOLUTION_MIX);
        const [lo, hi] = MINUTES_RANGE[resolution];
        const engineerMinutes = between(random, lo, hi);
        const at = Date.parse(`${date}T00:00:00Z`) + between(random, 6 * 60, 23 * 60) * 60_000;
        const store = random() < 0.6 ? stores[Math.floor(random() * stores.length)] : undefined;
        out.push({
          schemaVersion: 1,
          eventId: ulid(at, random),
          deviceId: agent.deviceId,
          occurredAt: new Date(at).toISOString(),
          type: 'oncall_incident',
          incidentId: `inc-${ulid(at, random).toLowerCase()}`,
          teamId: agent.teamId,
          ...(store !== undefined && { storeId: store.storeId }),
          incidentClass: options.incidentClasses[
            Math.floor(random() * options.incidentClasses.length)
          ] as string,
          openedAt: new Date(
            at - (engineerMinutes + between(random, 1, 30)) * 60_000,
          ).toISOString(),
          resolvedAt: new Date(at).toISOString(),
          resolution,
          engineerMinutes,
        });
      }
    }
  }
  return out;
}
