/**
 * Calendar arithmetic for aggregate keys. Store days are the store's local calendar days;
 * team weeks are ISO-8601 weeks in UTC. Dates are plain `YYYY-MM-DD` strings throughout, so
 * that keys sort lexicographically in DynamoDB.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (`YYYY-MM-DD`) of an instant (epoch ms) in a time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  return localDateTime(epochMs, timeZone).date;
}

/**
 * The local calendar date and the start (`HH:MM`) of the `slotMinutes`-long slot of the day
 * an instant falls in, in a time zone. `slotMinutes` must divide 60.
 */
export function localSlot(
  epochMs: number,
  timeZone: string,
  slotMinutes: number,
): { date: string; slot: string } {
  const { date, hour, minute } = localDateTime(epochMs, timeZone);
  const start = minute - (minute % slotMinutes);
  return { date, slot: `${hour}:${String(start).padStart(2, '0')}` };
}

function localDateTime(epochMs: number, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    hour: get('hour'),
    minute: Number(get('minute')),
  };
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` to the epoch ms of its UTC midnight, or `undefined` if not a real date. */
export function parseDate(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  return new Date(ms).toISOString().startsWith(date) ? ms : undefined;
}

function requireDate(date: string): number {
  const ms = parseDate(date);
  if (ms === undefined) throw new RangeError(`not a calendar date: ${date}`);
  return ms;
}

/** `date` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  return new Date(requireDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, inclusive of both ends (1 when equal). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((requireDate(to) - requireDate(from)) / DAY_MS) + 1;
}

/** Every date from `from` to `to` inclusive. */
export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** ISO-8601 week (`YYYY-Www`) of a calendar date. */
export function isoWeekOfDate(date: string): string {
  const ms = requireDate(date);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(ms + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** ISO-8601 week (`YYYY-Www`) of an instant, in UTC. */
export function isoWeekOfInstant(epochMs: number): string {
  return isoWeekOfDate(new Date(epochMs).toISOString().slice(0, 10));
}

/** The Monday (`YYYY-MM-DD`) of an ISO week (`YYYY-Www`). */
export function mondayOfIsoWeek(week: string): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (match === null) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(match[1]);
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  return new Date(jan4 + ((Number(match[2]) - 1) * 7 - weekday) * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

/** Every ISO week from `fromWeek` to `toWeek` inclusive. */
export function eachIsoWeek(fromWeek: string, toWeek: string): string[] {
  const out: string[] = [];
  for (
    let monday = mondayOfIsoWeek(fromWeek);
    isoWeekOfDate(monday) <= toWeek;
    monday = addDays(monday, 7)
  ) {
    out.push(isoWeekOfDate(monday));
  }
  return out;
}
