import { DETECTION_CATEGORIES } from '#contract';
import { type Counters, StoreCounters } from './counters.js';

/**
 * When loss happens: store slots folded into the 24 hours of the store's local day. A slot's
 * sort key already names its local start time (`SLOT#{date}T{HH:MM}`, aggregate-keys.ts), so
 * the hour is read off the key and no time zone is applied here: a region's table adds each
 * store's own local hours. On a day the clocks go back, both passes of the repeated hour fold
 * into the same slots (they share local times), so that hour holds both.
 *
 * The counters keep detections per category, but loss detected and loss prevented only per
 * slot (per-category loss counters would add bytes to every hot-path write): an hour's loss
 * figures are the hour's, not the category's.
 */

/** One hour of the local day, 0..23. */
export interface HourOfDayRow {
  readonly hour: number;
  readonly detections: number;
  readonly detectionsByCategory: Record<string, number>;
  readonly lossDetectedCents: number;
  readonly lossPreventedCents: number;
}

/** A store slot's counters and its local start time (`HH:MM`). */
export interface SlotCounters {
  readonly slot: string;
  readonly counters: Readonly<Counters>;
}

const SLOT_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The local hour a slot starts in; a malformed slot time is a RangeError (never a silent hour). */
export function hourOfSlot(slot: string): number {
  const match = SLOT_TIME.exec(slot);
  if (match === null) throw new RangeError(`not a slot time (HH:MM): ${slot}`);
  return Number(match[1]);
}

/**
 * The counters a row shows. Only these are added: a slot also holds hundreds of slot-only
 * names (per model and lane, model-quality.ts), which would cost every slot of the table.
 */
const ROW_COUNTERS = [
  StoreCounters.detections,
  ...StoreCounters.detectionsOf.names,
  StoreCounters.lossDetectedCents,
  StoreCounters.lossPreventedCents,
];

/** The 24 rows (every hour, zeros included) that these slots add up to. */
export function hourOfDayTable(slots: Iterable<SlotCounters>): HourOfDayRow[] {
  const hours = Array.from({ length: 24 }, () => ({}) as Counters);
  for (const { slot, counters } of slots) {
    const into = hours[hourOfSlot(slot)] as Counters;
    for (const name of ROW_COUNTERS) {
      const value = counters[name];
      if (value !== undefined) into[name] = (into[name] ?? 0) + value;
    }
  }
  const get = (c: Counters, name: string) => c[name] ?? 0;
  return hours.map((c, hour) => ({
    hour,
    detections: get(c, StoreCounters.detections),
    detectionsByCategory: Object.fromEntries(
      DETECTION_CATEGORIES.map((k) => [k, get(c, StoreCounters.detectionsOf(k))]),
    ),
    lossDetectedCents: get(c, StoreCounters.lossDetectedCents),
    lossPreventedCents: get(c, StoreCounters.lossPreventedCents),
  }));
}

/**
 * Which of a region's stores a region table reads, busiest first (most detections in the
 * period, then store id), within two bounds on one request's work: at most `maxStores`
 * stores, and at most `maxSlots` slot items read, counting each store at its worst case
 * (`slotsPerStore`: every slot of every day of the period), so the bound holds before any
 * slot is read. At least one store is read when there is one.
 */
export function storesToRead(
  detectionsByStore: ReadonlyMap<string, number>,
  bounds: { readonly maxStores: number; readonly maxSlots: number; readonly slotsPerStore: number },
): { stores: string[]; truncated: boolean } {
  const ranked = [...detectionsByStore]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([storeId]) => storeId);
  const bySlots = Math.max(1, Math.floor(bounds.maxSlots / Math.max(1, bounds.slotsPerStore)));
  const take = Math.min(bounds.maxStores, bySlots);
  return { stores: ranked.slice(0, take), truncated: ranked.length > take };
}
