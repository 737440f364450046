import { type Counters, StoreCounters, TeamCounters } from './counters.js';

/**
 * A contributor's running totals as its rollup item keeps them: a store's (or team's)
 * leaderboard figures for one day (or week), as a short comma-separated string stored beside
 * the contributor's version. The rollup write sets it from the home item's totals at the
 * version it records, so it is exactly-once by the same condition, and a leaderboard over a
 * period reads `shards x days` rollup items instead of `stores x days` store days.
 */
export const STORE_SNAPSHOT_FIELDS = [
  StoreCounters.detections,
  StoreCounters.lossDetectedCents,
  StoreCounters.lossPreventedCents,
  StoreCounters.confirmedLossCents,
  StoreCounters.outcomes,
  StoreCounters.outcomesOf('false_positive'),
] as const;

export const TEAM_SNAPSHOT_FIELDS = [
  TeamCounters.incidents,
  TeamCounters.incidentsOf('automated'),
  TeamCounters.incidentsOf('assisted'),
  TeamCounters.incidentsOf('manual'),
  TeamCounters.engineerMinutes,
  TeamCounters.minutesSaved,
] as const;

export type SnapshotKind = 'store' | 'team';

const fieldsOf = (kind: SnapshotKind) =>
  kind === 'store' ? STORE_SNAPSHOT_FIELDS : TEAM_SNAPSHOT_FIELDS;

export function encodeSnapshot(kind: SnapshotKind, counters: Readonly<Counters>): string {
  return fieldsOf(kind)
    .map((f) => counters[f] ?? 0)
    .join(',');
}

export function decodeSnapshot(kind: SnapshotKind, text: string): Counters {
  const values = text.split(',').map(Number);
  return Object.fromEntries(fieldsOf(kind).map((f, i) => [f, values[i] ?? 0]));
}
