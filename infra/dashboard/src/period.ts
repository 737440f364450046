/**
 * The default period: the last 30 days up to the latest calendar date any store can be in
 * right now (UTC+14), because stores count detections on their own local dates and a store
 * east of the viewer may already be on tomorrow.
 */
export function latestToday(now = Date.now()): string {
  return new Date(now + 14 * 3_600_000).toISOString().slice(0, 10);
}

export function daysBefore(date: string, n: number): string {
  return new Date(Date.parse(date) - n * 86_400_000).toISOString().slice(0, 10);
}

export function defaultPeriod(now = Date.now()): { from: string; to: string } {
  const to = latestToday(now);
  return { from: daysBefore(to, 29), to };
}

/** The longest period the routes read slot by slot answer: hour of day, model quality, lanes. */
export const MAX_SLOT_READ_DAYS = 31;

/** The period, its last MAX_SLOT_READ_DAYS days at most (those routes refuse longer ones). */
export function slotPeriod(p: { readonly from: string; readonly to: string }): {
  from: string;
  to: string;
} {
  const earliest = daysBefore(p.to, MAX_SLOT_READ_DAYS - 1);
  // Dates as text: `Math.max` does not order them.
  if (p.from < earliest) return { from: earliest, to: p.to };
  return { from: p.from, to: p.to };
}
