import type {
  DetectionCategory,
  Outcome,
  Resolution,
} from '../../edge-client/src/contract/index.js';

/**
 * Aggregates are flat maps of non-negative integer counters. Flat names (`detections_walkout`
 * rather than a nested map) let DynamoDB `ADD` them atomically in rollup items.
 */
export type Counters = Record<string, number>;

/** Counter names on store-day items and their rollups. */
export const StoreCounters = {
  detections: 'detections',
  detectionsOf: (category: DetectionCategory) => `detections_${category}`,
  lossDetectedCents: 'lossDetectedCents',
  lossPreventedCents: 'lossPreventedCents',
  confirmedLossCents: 'confirmedLossCents',
  outcomes: 'outcomes',
  outcomesOf: (outcome: Outcome) => `outcomes_${outcome}`,
  /** A second detection event for a detectionId already counted. */
  ignoredDetections: 'ignoredDetections',
  /** A second outcome for a detection that already has one: the first outcome wins. */
  ignoredOutcomes: 'ignoredOutcomes',
} as const;

/** Counter names on team week parts, team weeks and their rollups. */
export const TeamCounters = {
  incidents: 'incidents',
  incidentsOf: (resolution: Resolution) => `incidents_${resolution}`,
  engineerMinutes: 'engineerMinutes',
  minutesSaved: 'minutesSaved',
  /** A second close of an incidentId already counted in the same team week. */
  ignoredIncidents: 'ignoredIncidents',
} as const;

/** Adds `delta` into `into` in place and returns it. */
export function addCounters(into: Counters, delta: Readonly<Counters>): Counters {
  for (const [name, value] of Object.entries(delta)) into[name] = (into[name] ?? 0) + value;
  return into;
}

/** Increments one counter in place. */
export function bump(into: Counters, name: string, by = 1): void {
  if (by !== 0) into[name] = (into[name] ?? 0) + by;
}

/** Sum of counters over many items. */
export function sumCounters(items: Iterable<Readonly<Counters>>): Counters {
  const total: Counters = {};
  for (const item of items) addCounters(total, item);
  return total;
}
