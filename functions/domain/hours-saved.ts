import * as z from 'zod';

/**
 * How long an incident of each class takes an engineer without automation, in minutes.
 * Hours saved for an incident = max(0, baseline(class) - engineerMinutes). The table is
 * configuration (env `HOURS_SAVED_BASELINES`), not code: these are the defaults.
 */
export const HoursSavedBaselines = z
  .object({
    defaultMinutes: z.number().int().min(0).max(10_080),
    classes: z.record(z.string(), z.number().int().min(0).max(10_080)),
  })
  .strict();
export type HoursSavedBaselines = z.infer<typeof HoursSavedBaselines>;

export const DEFAULT_BASELINES: HoursSavedBaselines = {
  defaultMinutes: 60,
  classes: {
    pos_offline: 90,
    camera_offline: 45,
    model_drift: 120,
    disk_full: 30,
    network_degraded: 60,
    false_alarm_storm: 40,
    // The pipeline's own: dead letters found, fetched from the stream and counted by hand
    // (query the table, fetch each record, rebuild into a new table and switch to it), against
    // `npm run dead-letters -- replay --report-incident` (docs/operations.md).
    dead_letter_replay: 90,
  },
};

/**
 * Baseline minutes for an incident class, falling back to the default. Only the table's own
 * entries count: a class named like a member of every object (`constructor`, `toString`, all
 * valid identifiers) would otherwise read a function, and NaN minutes would poison the counters.
 */
export function baselineMinutes(baselines: HoursSavedBaselines, incidentClass: string): number {
  return Object.hasOwn(baselines.classes, incidentClass)
    ? (baselines.classes[incidentClass] as number)
    : baselines.defaultMinutes;
}

/** Engineer minutes automation saved on one incident; never negative. */
export function minutesSaved(
  baselines: HoursSavedBaselines,
  incident: { readonly incidentClass: string; readonly engineerMinutes: number },
): number {
  return Math.max(0, baselineMinutes(baselines, incident.incidentClass) - incident.engineerMinutes);
}
