import { addDays, isValidTimeZone, localDate } from './calendar.js';
import { type CoverageSummary, DARK_AFTER_MS, isDark } from './fleet-health.js';
import { type OpenHours, openInterval } from './open-hours.js';

/**
 * The fleet watch: what a scheduled check finds in the stores' coverage summaries that no
 * invocation of the processor can see, because a silent store sends nothing. A store is
 * **silent during its open hours** when it has been heard from before (`known` > 0), its item
 * has not been written for DARK_AFTER_MS (`isDark`: no status arrived from any of its
 * devices), and it has been open throughout those DARK_AFTER_MS: its current open stretch began
 * at least DARK_AFTER_MS ago. So a store whose PCs boot at opening is not flagged in its first
 * 30 minutes, and a store silent since closing is flagged 30 minutes after it opens with no
 * status. It stops being flagged when it closes (or a status arrives). A store registered but
 * never heard from (`known` = 0) that is open now is reported apart and alarms nothing: it may
 * not be installed yet. Test stores are not watched.
 */

/** Most stores each list of the report names; the counts cover every store. */
export const WATCH_LISTED_STORES = 10;
/** Most regions the report names (those with a silent or never-heard store, worst first). */
export const WATCH_LISTED_REGIONS = 50;

const MINUTE_MS = 60_000;

/** A store silent during its open hours, as the report names it (identifiers only). */
export interface SilentStore {
  readonly storeId: string;
  readonly region: string;
  /** The last write of its item (ISO-8601): the last time the pipeline heard from it. */
  readonly lastHeardAt: string;
  /** Whole minutes since then. */
  readonly silentMinutes: number;
}

/** A store registered, never heard from, and open now. */
export interface NeverHeardStore {
  readonly storeId: string;
  readonly region: string;
  /** When its registration wrote its summary (ISO-8601). */
  readonly registeredAt: string;
}

export interface RegionWatch {
  readonly region: string;
  /** Stores of the region watched (test stores not). */
  readonly stores: number;
  readonly silentDuringOpenHours: number;
  readonly neverHeardWhileOpen: number;
}

/** What one run of the watch reports, as of `asOf`. */
export interface FleetWatchReport {
  readonly asOf: string;
  /** Stores watched: every summary read but those of test stores. */
  readonly stores: number;
  /** Of them, stores open now. */
  readonly storesOpen: number;
  /** The alarm's figure (metric `SilentStores`). */
  readonly silentDuringOpenHours: number;
  /** Reported, not alarmed (metric `StoresNeverHeard`). */
  readonly neverHeardWhileOpen: number;
  /**
   * Summaries that could not be judged (a time zone this runtime does not know, no write
   * time): counted here and nowhere else, so one bad summary never stops the watch.
   */
  readonly unjudged: number;
  /** Regions with a silent or never-heard store, most silent first (at most WATCH_LISTED_REGIONS). */
  readonly regions: readonly RegionWatch[];
  /** The stores silent longest, longest first (at most WATCH_LISTED_STORES). */
  readonly silent: readonly SilentStore[];
  /** Never-heard stores open now, registered earliest first (at most WATCH_LISTED_STORES). */
  readonly neverHeard: readonly NeverHeardStore[];
}

/**
 * When the store's current open stretch began (epoch ms): `undefined` when it is closed at
 * `at`, `-Infinity` when it has no open hours (open around the clock). Days whose open hours
 * run into the next day's (opens 00:00, closes 24:00) are one stretch; past two days back the
 * stretch is taken to have begun then, which is long enough for any use here.
 */
export function openSince(
  at: number,
  timeZone: string,
  hours: OpenHours | undefined,
): number | undefined {
  if (hours === undefined) return Number.NEGATIVE_INFINITY;
  const today = localDate(at, timeZone);
  const date = [addDays(today, -1), today].find((d) => {
    const [start, end] = openInterval(d, timeZone, hours);
    return at >= start && at < end;
  });
  if (date === undefined) return undefined;
  let [start] = openInterval(date, timeZone, hours);
  for (let back = 1; back <= 2; back++) {
    const [before, end] = openInterval(addDays(date, -back), timeZone, hours);
    if (end < start) return start;
    start = before;
  }
  return start;
}

type Verdict = 'silent' | 'neverHeard' | 'open' | 'closed';

/**
 * One store's verdict as of `now`; throws on a time zone the runtime does not know (or none:
 * UNKNOWN_PROFILE). The open
 * stretch is worked out once per time zone and open hours (`since`): every store is judged as
 * of the same instant, and most share their hours with many others.
 */
function judge(
  s: CoverageSummary,
  now: number,
  since: (timeZone: string, hours: OpenHours | undefined) => number | undefined,
): Verdict {
  if (!Number.isFinite(s.writtenAt)) throw new RangeError('no write time');
  // Also for a store open around the clock, whose opening needs no time zone: a summary with
  // none (written before profiles were kept) has unknown hours too.
  if (!isValidTimeZone(s.profile.timeZone)) throw new RangeError('unknown time zone');
  const opened = since(s.profile.timeZone, s.profile.openHours);
  if (opened === undefined) return 'closed';
  if (s.known === 0) return 'neverHeard';
  return isDark(s, now) && now - opened >= DARK_AFTER_MS ? 'silent' : 'open';
}

function openSinceMemo(now: number) {
  const memo = new Map<string, number | undefined>();
  return (timeZone: string, hours: OpenHours | undefined) => {
    const key = `${timeZone} ${hours?.opens} ${hours?.closes}`;
    if (!memo.has(key)) memo.set(key, openSince(now, timeZone, hours));
    return memo.get(key);
  };
}

/**
 * The watch's report over the coverage summaries (every store's, from one read), as of `now`.
 * Pure; the work is linear in the summaries, and the lists it names are bounded.
 */
export function fleetWatchReport(
  summaries: readonly CoverageSummary[],
  now: number,
): FleetWatchReport {
  let stores = 0;
  let storesOpen = 0;
  let unjudged = 0;
  const silent: CoverageSummary[] = [];
  const neverHeard: CoverageSummary[] = [];
  const regions = new Map<string, { stores: number; silent: number; neverHeard: number }>();
  const since = openSinceMemo(now);
  for (const s of summaries) {
    if (s.profile.test === true) continue;
    stores++;
    const region = regions.get(s.region) ?? { stores: 0, silent: 0, neverHeard: 0 };
    regions.set(s.region, region);
    region.stores++;
    let verdict: Verdict;
    try {
      verdict = judge(s, now, since);
    } catch {
      unjudged++;
      continue;
    }
    if (verdict !== 'closed') storesOpen++;
    if (verdict === 'silent') {
      silent.push(s);
      region.silent++;
    } else if (verdict === 'neverHeard') {
      neverHeard.push(s);
      region.neverHeard++;
    }
  }
  const byWritten = (a: CoverageSummary, b: CoverageSummary) =>
    a.writtenAt - b.writtenAt || a.storeId.localeCompare(b.storeId);
  return {
    asOf: new Date(now).toISOString(),
    stores,
    storesOpen,
    silentDuringOpenHours: silent.length,
    neverHeardWhileOpen: neverHeard.length,
    unjudged,
    regions: [...regions]
      .filter(([, r]) => r.silent > 0 || r.neverHeard > 0)
      .sort(
        ([a, x], [b, y]) =>
          y.silent - x.silent || y.neverHeard - x.neverHeard || a.localeCompare(b),
      )
      .slice(0, WATCH_LISTED_REGIONS)
      .map(([region, r]) => ({
        region,
        stores: r.stores,
        silentDuringOpenHours: r.silent,
        neverHeardWhileOpen: r.neverHeard,
      })),
    silent: silent
      .sort(byWritten)
      .slice(0, WATCH_LISTED_STORES)
      .map((s) => ({
        storeId: s.storeId,
        region: s.region,
        lastHeardAt: new Date(s.writtenAt).toISOString(),
        silentMinutes: Math.floor((now - s.writtenAt) / MINUTE_MS),
      })),
    neverHeard: neverHeard
      .sort(byWritten)
      .slice(0, WATCH_LISTED_STORES)
      .map((s) => ({
        storeId: s.storeId,
        region: s.region,
        registeredAt: new Date(s.writtenAt).toISOString(),
      })),
  };
}
