import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { DEFAULT_EVENT_TIME_RULES } from '#domain/event-time';
import type { HoursSavedBaselines } from '#domain/hours-saved';
import type { EdgeClient } from '#edge-client';
import {
  addTree,
  emptyTruth,
  FleetSimulator,
  type GroundTruth,
  generateBackfill,
  type SimFleet,
} from '#simulator';

/**
 * The first run's history: the last `days` days of the simulated fleet, sent once through the
 * same edge client as the live simulation (signed, spooled, aggregated) before it starts.
 *
 * Exactly once across crashes: the plan (anchor instant, days, seed) is written before the
 * first event is spooled, so a restart regenerates the very same events (ids and seqs) and
 * spools them all again; what the pipeline already counted is dropped by its (deviceId, seq)
 * dedup. The ground truth gets the backfill's figures once: the plan remembers how many runs
 * the truth file held before it, and a truth file with more already has them. The plan is
 * marked done only once every event is accepted by the spool (durable).
 */
/** The most days a history may have: the processor refuses events 35 days behind arrival (too_old). */
export const MAX_HISTORY_DAYS = 34;

/**
 * The plan as the data folder holds it, checked on every read: a hand-edited or truncated file
 * is refused by name before an event is generated, rather than hanging on a huge day count,
 * numbering events above the live run's seqs from a future anchor, or skipping on a truthy
 * `done`.
 */
export const BackfillPlan = z
  .object({
    anchorMs: z.number().int().nonnegative(),
    days: z.number().int().min(1).max(MAX_HISTORY_DAYS),
    seed: z.number().int(),
    truthRunsBefore: z.number().int().nonnegative(),
    done: z.boolean(),
  })
  .strict();
export type BackfillPlan = z.infer<typeof BackfillPlan>;

export interface BackfillRun {
  readonly client: EdgeClient;
  readonly fleet: SimFleet;
  readonly seed: number;
  readonly days: number;
  readonly baselines: HoursSavedBaselines;
  readonly planFile: string;
  readonly truthFile: string;
  readTruth(file: string): GroundTruth;
  writeTruth(file: string, truth: GroundTruth): void;
  /** Mean detections per store per weekday (BackfillOptions). */
  readonly detectionsPerStoreDay?: number;
  readonly now?: number;
}

const CHUNK = 500;
const DAY_MS = 86_400_000;

function writeJson(file: string, value: unknown) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** The plan in `file`, if any; not after `nowMs` (a plan is written at its anchor). */
export function readPlan(file: string, nowMs = Date.now()): BackfillPlan | undefined {
  if (!existsSync(file)) return undefined;
  const refuse = (why: string) =>
    new Error(
      // Not "remove it": a new plan has a new anchor, hence new events, and what the old one
      // already sent would count twice.
      `${file} is not a history plan (${why}); fix it, or start with --no-history`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw refuse(error instanceof Error ? error.message : String(error));
  }
  const parsed = BackfillPlan.safeParse(raw);
  if (!parsed.success) throw refuse(z.prettifyError(parsed.error).replaceAll('\n', ' '));
  if (parsed.data.anchorMs > nowMs) throw refuse('its anchor is in the future');
  return parsed.data;
}

/** Sends the backfill unless its plan says it is done; the number of events spooled (0 if done). */
export async function runBackfill(run: BackfillRun, signal?: AbortSignal): Promise<number> {
  let plan = readPlan(run.planFile, run.now ?? Date.now());
  if (plan?.done) return 0;
  if (plan === undefined) {
    // Only a first run: a data folder that already has a simulator's truth has its own past.
    if (existsSync(run.truthFile)) return 0;
    plan = BackfillPlan.parse({
      anchorMs: run.now ?? Date.now(),
      days: run.days,
      seed: run.seed,
      truthRunsBefore: run.readTruth(run.truthFile).runs,
      done: false,
    });
    writeJson(run.planFile, plan);
  }
  // An unfinished plan resumed days later: its oldest events (at most days + 1 before the
  // anchor) may now be past the processor's horizon, dead-lettered as too_old while the ground
  // truth counts them. Refused rather than sent half-counted.
  const now = run.now ?? Date.now();
  if (plan.anchorMs - (plan.days + 1) * DAY_MS < now - DEFAULT_EVENT_TIME_RULES.horizonMs) {
    throw new Error(
      `${run.planFile}: the unfinished history planned at ${new Date(plan.anchorMs).toISOString()} is now too old to send whole (the processor refuses events ${DEFAULT_EVENT_TIME_RULES.horizonMs / DAY_MS} days behind arrival as too_old, and the ground truth would count them); start with --no-history`,
    );
  }
  const events = generateBackfill({
    fleet: run.fleet,
    seed: plan.seed,
    days: plan.days,
    anchorMs: plan.anchorMs,
    incidentClasses: [...Object.keys(run.baselines.classes), 'other_issue'],
    ...(run.detectionsPerStoreDay !== undefined && {
      detectionsPerStoreDay: run.detectionsPerStoreDay,
    }),
  });
  // Read before the first send: a damaged file fails the start before anything is resent.
  const truth = run.readTruth(run.truthFile);
  for (let i = 0; i < events.length; i += CHUNK) {
    if (signal?.aborted) throw new Error('backfill aborted; the next start sends it again');
    await run.client.send(events.slice(i, i + CHUNK), signal);
  }
  if (truth.runs <= plan.truthRunsBefore) {
    const counter = new FleetSimulator({
      fleet: run.fleet,
      seed: plan.seed,
      baselines: run.baselines,
      now: () => plan.anchorMs,
    });
    counter.acknowledge(events);
    run.writeTruth(run.truthFile, addTree(structuredClone(truth ?? emptyTruth()), counter.truth()));
  }
  writeJson(run.planFile, { ...plan, done: true });
  return events.length;
}
