import { DETECTION_CATEGORIES, OUTCOMES, RESOLUTIONS } from '#contract';
import { type Counters, StoreCounters, TeamCounters } from './counters.js';

/** Shrink figures for a period or a day, derived from summed store counters. */
export interface ShrinkFigures {
  readonly detections: number;
  readonly detectionsByCategory: Record<string, number>;
  readonly lossDetectedCents: number;
  readonly lossPreventedCents: number;
  readonly confirmedLossCents: number;
  readonly outcomes: number;
  readonly outcomesByKind: Record<string, number>;
  readonly falsePositives: number;
  /** False positives over resolved detections; null when nothing was resolved. */
  readonly falsePositiveRate: number | null;
}

export interface HoursSavedFigures {
  readonly incidents: number;
  readonly incidentsByResolution: Record<string, number>;
  readonly engineerMinutes: number;
  readonly minutesSaved: number;
  readonly hoursSaved: number;
  /** Share of incidents closed by automation alone; null when there were none. */
  readonly automatedShare: number | null;
}

const get = (c: Readonly<Counters>, name: string) => c[name] ?? 0;
const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

export function shrinkFigures(c: Readonly<Counters>): ShrinkFigures {
  const outcomes = get(c, StoreCounters.outcomes);
  const falsePositives = get(c, StoreCounters.outcomesOf('false_positive'));
  return {
    detections: get(c, StoreCounters.detections),
    detectionsByCategory: Object.fromEntries(
      DETECTION_CATEGORIES.map((k) => [k, get(c, StoreCounters.detectionsOf(k))]),
    ),
    lossDetectedCents: get(c, StoreCounters.lossDetectedCents),
    lossPreventedCents: get(c, StoreCounters.lossPreventedCents),
    confirmedLossCents: get(c, StoreCounters.confirmedLossCents),
    outcomes,
    outcomesByKind: Object.fromEntries(
      OUTCOMES.map((k) => [k, get(c, StoreCounters.outcomesOf(k))]),
    ),
    falsePositives,
    falsePositiveRate: ratio(falsePositives, outcomes),
  };
}

export function hoursSavedFigures(c: Readonly<Counters>): HoursSavedFigures {
  const incidents = get(c, TeamCounters.incidents);
  const minutesSaved = get(c, TeamCounters.minutesSaved);
  return {
    incidents,
    incidentsByResolution: Object.fromEntries(
      RESOLUTIONS.map((k) => [k, get(c, TeamCounters.incidentsOf(k))]),
    ),
    engineerMinutes: get(c, TeamCounters.engineerMinutes),
    minutesSaved,
    hoursSaved: Math.round((minutesSaved / 60) * 100) / 100,
    automatedShare: ratio(get(c, TeamCounters.incidentsOf('automated')), incidents),
  };
}
