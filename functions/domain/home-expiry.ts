import type { HomeKey } from './aggregate-keys.js';
import { mondayOfIsoWeek, parseDate } from './calendar.js';

const DAY_MS = 86_400_000;

/**
 * When a home item (a store slot, a team week part) may be deleted by DynamoDB's time to live.
 *
 * A home holds the bookkeeping that makes its own updates exactly-once (`seen`, `joins`): after
 * its period, only events that arrive late need it, and the event-time rules refuse any event
 * more than the late-event horizon behind its record's arrival (event-time.ts). A record is
 * processed at most the stream's retention after its arrival. So once `horizon + stream
 * retention` has passed since a home's period ended, no event that can count still lands in
 * it, and the item is only storage: most of the aggregates' bytes (the figures live on in the
 * store day or team week, which never expire).
 *
 * The retention is that sum plus a week's margin. A home written long after its period (by a
 * rebuild from the raw archive) keeps at least `REBUILD_GRACE_MS` from its write, so that it
 * outlives the rebuild.
 *
 * The processor never recreates an expired home: a home that is missing although its summary
 * has absorbed a version of it has expired, and its events are dead-lettered as `too_old`
 * (commit-aggregates.ts, HomeExpiredError). So an expiry that came too early, or a horizon
 * raised after homes were written, costs late events a visible dead letter, never a double
 * count.
 */
export const RETENTION_MARGIN_MS = 7 * DAY_MS;
export const REBUILD_GRACE_MS = 7 * DAY_MS;

/** How long after its period a home is kept: horizon + stream retention + margin. */
export const homeRetentionMs = (horizonMs: number, streamRetentionMs: number): number =>
  horizonMs + streamRetentionMs + RETENTION_MARGIN_MS;

/**
 * A bound on the UTC instant a home's period ends: a store slot's local date ends at most two
 * days after its UTC midnight in any time zone; an ISO week (UTC) eight days after its Monday.
 */
export function homePeriodEndMs(key: HomeKey): number {
  const start =
    key.kind === 'store-slot' ? parseDate(key.date) : parseDate(mondayOfIsoWeek(key.week));
  if (start === undefined) throw new RangeError(`home ${JSON.stringify(key)} has no valid period`);
  return start + (key.kind === 'store-slot' ? 2 : 8) * DAY_MS;
}

/** The home's `expiresAt` (epoch seconds, DynamoDB's time-to-live format) when written at `nowMs`. */
export function homeExpiresAt(key: HomeKey, retentionMs: number, nowMs: number): number {
  return Math.ceil(Math.max(homePeriodEndMs(key) + retentionMs, nowMs + REBUILD_GRACE_MS) / 1000);
}
