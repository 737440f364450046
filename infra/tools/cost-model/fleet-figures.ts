import * as z from 'zod';
import type { FleetFigures, FleetSettings } from './capacity-model.js';

/**
 * The `fleet` entry of measured-figures.json, and how one is taken from `npm run bench:fleet`'s
 * last JSON line (`npm run plan -- --take-fleet-figures FILE --profile NAME`).
 */

const positive = z.number().positive();
const nonnegative = z.number().nonnegative();

export const FleetSettingsSchema = z.strictObject({
  lanes: positive,
  eventsPerLaneHour: positive,
  devicesPerStore: positive,
  lingerMs: nonnegative,
  partitionBy: z.enum(['store', 'device']),
  batchSize: z.number().int().min(1).max(10_000),
  batchWindowMs: z.number().int().min(0).max(300_000),
}) satisfies z.ZodType<FleetSettings>;

/** The per-event fields taken from a bench:fleet profile, as the bench names them. */
const MeasuredFields = z.object({
  eventsPerRecord: positive,
  kinesisKbPerEvent: positive,
  firehoseBytesPerEvent: positive,
  dynamodbWritesPerEvent: nonnegative,
  writeUnitsPerEvent: nonnegative,
  readUnitsPerEvent: nonnegative,
  processorCpuMsPer1000Events: nonnegative,
  eventsPerStorePerBatch: positive,
  freshnessP50Seconds: nonnegative,
  freshnessP99Seconds: nonnegative,
});

export const FleetFiguresSchema = MeasuredFields.extend({
  command: z.string().min(1),
  measuredAt: z.iso.date(),
  profile: z.string().min(1),
  settings: FleetSettingsSchema,
}).strict() satisfies z.ZodType<FleetFigures>;

/** What of a profile the taking reads besides the per-event fields: to build its command and check it. */
const FleetProfileLine = MeasuredFields.extend({
  profile: z.string(),
  stores: positive,
  lanes: positive,
  minutes: positive,
  slow: positive.default(1),
  shardStores: positive.optional(),
  fleetShards: positive.optional(),
  exact: z.boolean(),
  lost: z.number().optional(),
  doubleCounted: z.number().optional(),
});
const FleetLine = z.object({ bench: z.literal('fleet'), profiles: z.array(z.unknown()).min(1) });

/** bench:fleet's default `--fleet-shards` (tests/bench/fleet.ts), left out of a rebuilt command. */
const BENCH_FLEET_SHARDS = 9;

export class FleetFiguresError extends Error {
  override name = 'FleetFiguresError';
}

export interface TakeOptions {
  readonly profile: string;
  readonly settings: FleetSettings;
  /** Date of the run. @default today (UTC) */
  readonly measuredAt?: string;
  /** The command that produced the line. @default rebuilt from the profile's fields */
  readonly command?: string;
}

/**
 * The `fleet` entry for one profile of a bench:fleet output (its last `{"bench":"fleet"}`
 * line is read; other lines are ignored). Refuses a run whose totals were not exact, a
 * profile the line does not hold, and settings whose lanes per store the run contradicts.
 */
export function takeFleetFigures(output: string, options: TakeOptions): FleetFigures {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return FleetLine.safeParse(JSON.parse(l));
      } catch {
        return undefined;
      }
    })
    .filter((r) => r?.success === true)
    .at(-1);
  if (line?.success !== true)
    throw new FleetFiguresError(
      'no {"bench":"fleet",...} line found (npm run bench:fleet prints it last)',
    );
  const profiles = line.data.profiles.map((p) => FleetProfileLine.safeParse(p));
  const index = line.data.profiles.findIndex(
    (p) =>
      typeof p === 'object' &&
      p !== null &&
      (p as { profile?: unknown }).profile === options.profile,
  );
  if (index < 0) {
    const names = line.data.profiles.map((p) => (p as { profile?: unknown }).profile);
    throw new FleetFiguresError(
      `profile ${JSON.stringify(options.profile)} is not in the line; it holds ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  const parsed = profiles[index];
  if (parsed?.success !== true)
    throw new FleetFiguresError(
      `profile ${options.profile}: ${parsed?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const run = parsed.data;
  if (!run.exact)
    throw new FleetFiguresError(
      `profile ${options.profile}: the run's totals were not exact (lost ${run.lost ?? '?'}, double-counted ${run.doubleCounted ?? '?'}); its figures are not taken`,
    );
  const settings = FleetSettingsSchema.parse(options.settings);
  if (Math.abs(run.lanes / run.stores - settings.lanes) > 1e-9)
    throw new FleetFiguresError(
      `profile ${options.profile} ran ${run.lanes / run.stores} lanes per store; the settings say ${settings.lanes} (--lanes)`,
    );
  const command =
    options.command ??
    [
      `npm run bench:fleet -- --stores ${run.stores} --minutes ${run.minutes} --profile ${run.profile}`,
      run.shardStores !== undefined && run.shardStores !== run.stores
        ? ` --shard-stores ${run.shardStores}`
        : '',
      run.slow !== 1 ? ` --slow ${run.slow}` : '',
      run.fleetShards !== undefined && run.fleetShards !== BENCH_FLEET_SHARDS
        ? ` --fleet-shards ${run.fleetShards}`
        : '',
    ].join('');
  return FleetFiguresSchema.parse({
    command,
    measuredAt: options.measuredAt ?? new Date().toISOString().slice(0, 10),
    profile: run.profile,
    settings,
    ...Object.fromEntries(
      Object.keys(MeasuredFields.shape).map((k) => [k, run[k as keyof typeof run]]),
    ),
  });
}
