import { DETECTION_CATEGORIES, OUTCOMES, RESOLUTIONS } from '#contract';

/**
 * Aggregates are flat maps of non-negative integer counters. Flat names (`detections_walkout`
 * rather than a nested map) let DynamoDB `ADD` them atomically in rollup items.
 */
export type Counters = Record<string, number>;

/**
 * One counter per member of a contract enumeration (`detections_walkout`, ...): call it with a
 * member for its name; `names` lists them all.
 */
export interface CounterFamily<Member extends string> {
  (member: Member): string;
  readonly names: readonly string[];
}

function family<const Member extends string>(
  prefix: string,
  members: readonly Member[],
): CounterFamily<Member> {
  const of = (member: Member) => `${prefix}_${member}`;
  return Object.assign(of, { names: members.map(of) });
}

type CounterDefinitions = Readonly<Record<string, string | { readonly names: readonly string[] }>>;

/** Counter names on store-day items and their rollups. */
export const StoreCounters = {
  detections: 'detections',
  detectionsOf: family('detections', DETECTION_CATEGORIES),
  lossDetectedCents: 'lossDetectedCents',
  lossPreventedCents: 'lossPreventedCents',
  confirmedLossCents: 'confirmedLossCents',
  outcomes: 'outcomes',
  outcomesOf: family('outcomes', OUTCOMES),
  /** A second detection event for a detectionId already counted. */
  ignoredDetections: 'ignoredDetections',
  /** A second outcome for a detection that already has one: the first outcome wins. */
  ignoredOutcomes: 'ignoredOutcomes',
} as const satisfies CounterDefinitions;

/** Counter names on team week parts, team weeks and their rollups. */
export const TeamCounters = {
  incidents: 'incidents',
  incidentsOf: family('incidents', RESOLUTIONS),
  engineerMinutes: 'engineerMinutes',
  minutesSaved: 'minutesSaved',
  /** A second close of an incidentId already counted in the same team week. */
  ignoredIncidents: 'ignoredIncidents',
} as const satisfies CounterDefinitions;

const namesOf = (definitions: CounterDefinitions) =>
  Object.values(definitions).flatMap((d) => (typeof d === 'string' ? [d] : d.names));

/**
 * Every counter name an aggregate item can hold, read off the definitions above: a counter
 * added there is known here, and any other attribute of an item (its key, its `part`, its
 * version) is bookkeeping.
 */
export const COUNTER_NAMES: ReadonlySet<string> = new Set([
  ...namesOf(StoreCounters),
  ...namesOf(TeamCounters),
]);

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
