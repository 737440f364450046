/**
 * The soak's calendar. A steady load needs aggregates of a steady size. On the real clock a
 * store day's item grows for the whole run (it keeps a join per detection until the day is
 * over), and with it everything the processor reads and writes per batch: ten minutes of a
 * soak are the first ten minutes of a store's day, whose items only grow. So by default the
 * soak plays a compressed calendar: store day after store day, each `dayMinutes` of the run
 * long, back-dated so that every event stays inside the processor's event-time window
 * (functions/domain/event-time.ts): the calendar ends an hour before the run does (the window
 * allows 15 minutes ahead of arrival) and starts at most 33 days before that (it allows 35
 * behind). The items' sizes then reach a steady state, as a store's do over days.
 */
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';

export interface SoakCalendar {
  /** How many times faster than the real clock the calendar runs (1 on the real clock). */
  readonly speed: number;
  /** The simulated time at the run's start, ms since the epoch. */
  readonly start: number;
  /** The simulated time now. */
  readonly now: () => number;
}

export const DAY_MS = 86_400_000;
const HORIZON_DAYS = DEFAULT_EVENT_TIME_RULES.horizonMs / DAY_MS;
/** How far back the calendar may start, kept two days inside the processor's horizon. */
export const MAX_CALENDAR_DAYS = HORIZON_DAYS - 2;
/** The calendar ends this long before the run does, well past the tolerance for clocks ahead. */
const END_MARGIN_MS = 4 * DEFAULT_EVENT_TIME_RULES.futureToleranceMs;

/** The default day length: one minute, or longer where the run would span more days than fit. */
export const defaultDayMinutes = (minutes: number) =>
  Math.max(1, Math.ceil(minutes / MAX_CALENDAR_DAYS));

/** The calendar of a run of `minutes` that starts now (by `clock`), one day per `dayMinutes`. */
export function soakCalendar(options: {
  minutes: number;
  dayMinutes: number;
  clock?: () => number;
}): SoakCalendar {
  const { minutes, dayMinutes } = options;
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  if (!(dayMinutes >= 0)) throw new Error('--day-minutes must be 0 or a positive number');
  if (dayMinutes === 0) return { speed: 1, start: startedAt, now: clock };
  const speed = 1440 / dayMinutes;
  const spanMs = speed * minutes * 60_000;
  if (spanMs > MAX_CALENDAR_DAYS * DAY_MS)
    throw new Error(
      `--day-minutes ${dayMinutes} over ${minutes} minutes spans ${Math.ceil(spanMs / DAY_MS)} days, more than the ${MAX_CALENDAR_DAYS} that fit in the processor's ${HORIZON_DAYS}-day horizon: use --day-minutes ${defaultDayMinutes(minutes)} or more`,
    );
  const start = startedAt + minutes * 60_000 - END_MARGIN_MS - spanMs;
  return { speed, start, now: () => start + (clock() - startedAt) * speed };
}
