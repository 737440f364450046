import { addDays, isValidTimeZone, localDate, parseDate } from './calendar.js';

/**
 * A store's open hours, in its own time zone: the same every day. `closes` before `opens` is
 * an overnight store (the night belongs to the day it opened); `closes` may be `24:00`. No
 * open hours: open around the clock.
 */
export interface OpenHours {
  readonly opens: string;
  readonly closes: string;
}

export const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const DAY_MS = 86_400_000;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset (ms, local minus UTC) of a time zone at an instant. */
function offsetAt(epochMs: number, timeZone: string): number {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return local - Math.floor(epochMs / 60_000) * 60_000;
}

/**
 * The instant (epoch ms) of a local wall-clock time `minutes` after midnight of `date` in a
 * time zone. A time skipped by a daylight-saving change lands just after the change; a time
 * repeated by one, on its first occurrence.
 */
export function localInstant(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  // The instant is within 14 hours of the wall time read as UTC: the offsets a day either side
  // are the ones it can have (a zone changes at most once in two days).
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const fits = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (fits.length > 0) return Math.min(...fits);
  if (before === after) return wall - before;
  // Skipped: the change itself, the first minute with the later offset, between the two.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (offsetAt(mid, timeZone) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Open intervals worked out, by date, time zone and hours: every store of a time zone with the
 * same hours shares them, so a scope's coverage over thousands of stores works out a few
 * dozen. Pure arithmetic of its key (time zone data does not change while a process runs);
 * cleared when full, so it holds at most MAX_INTERVALS.
 */
const intervals = new Map<string, readonly [number, number]>();
const MAX_INTERVALS = 20_000;

/** The open interval `[start, end)` (epoch ms) that begins on a store-local `date`. */
export function openInterval(
  date: string,
  timeZone: string,
  hours: OpenHours | undefined,
): readonly [number, number] {
  const key = `${date} ${timeZone} ${hours?.opens ?? ''} ${hours?.closes ?? ''}`;
  let interval = intervals.get(key);
  if (interval === undefined) {
    if (intervals.size >= MAX_INTERVALS) intervals.clear();
    interval = workOutInterval(date, timeZone, hours);
    intervals.set(key, interval);
  }
  return interval;
}

function workOutInterval(
  date: string,
  timeZone: string,
  hours: OpenHours | undefined,
): readonly [number, number] {
  if (hours === undefined) {
    return [localInstant(date, 0, timeZone), localInstant(addDays(date, 1), 0, timeZone)];
  }
  const opens = minutesOf(hours.opens);
  const closes = minutesOf(hours.closes);
  const end =
    closes > opens
      ? localInstant(date, closes, timeZone)
      : localInstant(addDays(date, 1), closes, timeZone);
  return [localInstant(date, opens, timeZone), end];
}

/** Whether the store is open at an instant. */
export function isOpenAt(epochMs: number, timeZone: string, hours: OpenHours | undefined): boolean {
  const today = localDate(epochMs, timeZone);
  return [addDays(today, -1), today].some((date) => {
    const [start, end] = openInterval(date, timeZone, hours);
    return epochMs >= start && epochMs < end;
  });
}

/** A silence counts against a day only if it takes at least this much of its open hours. */
export const GAP_MIN_OVERLAP_MS = 15 * 60_000;

/** Most days a silence marks: the span of a quarter and then some. */
export const GAP_DAYS_KEPT = 93;

/**
 * The store-local days whose open hours a silence `[from, to)` (epoch ms) takes all of, or at
 * least GAP_MIN_OVERLAP_MS of: a PC switched off at closing, or booted a few minutes after
 * opening, marks nothing. At most the GAP_DAYS_KEPT days before `to`; only the days at either
 * end are worked out (a day wholly inside the silence is marked as it is), so the work is
 * bounded whatever the input. A time zone this runtime does not know marks nothing: its days
 * cannot be placed (a zone newer than the runtime's time zone data, an item edited by hand),
 * and one such store must not fail every answer that covers it.
 */
export function gapDaysOf(
  from: number,
  to: number,
  timeZone: string,
  hours: OpenHours | undefined,
): string[] {
  const start = Math.max(from, to - GAP_DAYS_KEPT * DAY_MS);
  if (!(to - start >= GAP_MIN_OVERLAP_MS) || !isValidTimeZone(timeZone)) return [];
  const first = addDays(localDate(start, timeZone), -1);
  const last = localDate(to, timeZone);
  const inside = addDays(first, 2);
  const outside = addDays(last, -1);
  const out: string[] = [];
  const lastMs = parseDate(last) as number;
  for (let ms = parseDate(first) as number; ms <= lastMs; ms += DAY_MS) {
    const date = new Date(ms).toISOString().slice(0, 10);
    if (date >= inside && date < outside) {
      out.push(date);
      continue;
    }
    const [open, close] = openInterval(date, timeZone, hours);
    const overlap = Math.min(close, to) - Math.max(open, start);
    if (overlap >= GAP_MIN_OVERLAP_MS || (overlap > 0 && overlap === close - open)) out.push(date);
  }
  return out;
}

/** Sorted, unique, and only the GAP_DAYS_KEPT latest. */
export function mergeGapDays(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort().slice(-GAP_DAYS_KEPT);
}
