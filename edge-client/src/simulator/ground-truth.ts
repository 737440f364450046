/**
 * What the simulator knows it sent: the expected aggregates, computed directly from the
 * events Kinesis acknowledged (not through the processor's code), so that comparing the two
 * tests the pipeline rather than restating it.
 */
export interface ShrinkTruth {
  detections: number;
  detectionsByCategory: Record<string, number>;
  lossDetectedCents: number;
  lossPreventedCents: number;
  confirmedLossCents: number;
  outcomes: number;
  outcomesByKind: Record<string, number>;
  falsePositives: number;
}

export interface HoursTruth {
  incidents: number;
  incidentsByResolution: Record<string, number>;
  engineerMinutes: number;
  minutesSaved: number;
}

export interface GroundTruth {
  /** Simulator runs folded into this file (runs are disjoint, so their truths add up). */
  runs: number;
  /** Events acknowledged by Kinesis, resends included. */
  eventsSent: number;
  /** Deliberate resends of an already-acknowledged event (must not count twice). */
  resends: number;
  shrink: ShrinkTruth;
  hours: HoursTruth;
  /** storeId -> store-local date of the detection -> figures. */
  storeDays: Record<string, Record<string, ShrinkTruth>>;
}

export const emptyShrink = (): ShrinkTruth => ({
  detections: 0,
  detectionsByCategory: {},
  lossDetectedCents: 0,
  lossPreventedCents: 0,
  confirmedLossCents: 0,
  outcomes: 0,
  outcomesByKind: {},
  falsePositives: 0,
});

export const emptyTruth = (): GroundTruth => ({
  runs: 0,
  eventsSent: 0,
  resends: 0,
  shrink: emptyShrink(),
  hours: { incidents: 0, incidentsByResolution: {}, engineerMinutes: 0, minutesSaved: 0 },
  storeDays: {},
});

type Tree = { [key: string]: number | Tree };

/** Adds every number of `b` into `a` (same shape, missing branches created). */
export function addTree<T extends object>(a: T, b: T): T {
  const into = a as unknown as Tree;
  for (const [key, value] of Object.entries(b as unknown as Tree)) {
    if (typeof value === 'number') into[key] = ((into[key] as number | undefined) ?? 0) + value;
    else into[key] = addTree((into[key] as Tree | undefined) ?? {}, value);
  }
  return a;
}
