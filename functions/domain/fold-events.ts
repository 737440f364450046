import type {
  DetectionEvent,
  DetectionOutcomeEvent,
  OncallIncidentEvent,
  Outcome,
  TelemetryEvent,
} from '#contract';
import { bump, type Counters, StoreCounters, TeamCounters } from './counters.js';
import { draftOf, type HomeDraft, type HomeState } from './home-state.js';
import { type HoursSavedBaselines, minutesSaved } from './hours-saved.js';
import { modelKey, SlotBuckets, SlotOnlyCounters } from './model-quality.js';
import { SeqIntervals } from './seq-intervals.js';

/**
 * The aggregation rules, as one pure fold of a batch's events into one home item.
 *
 * Exactly-once: an event whose (deviceId, seq) the item has already absorbed is a duplicate
 * (a producer resend, a Lambda retry, a replay) and changes nothing.
 *
 * Store day (the day of the detection, from the time inside its `detectionId` ULID, so a
 * detection and its outcome always meet in the same item):
 * - a detection counts once per `detectionId`: `detections`, its category, and
 *   `lossDetectedCents` += estimate. A second detection event for the id is ignored.
 * - the first outcome of a detection counts; later ones are ignored (`ignoredOutcomes`).
 *   `recovered` and `confirmed_loss` add `recoveredCents` to `lossPreventedCents`;
 *   `confirmed_loss` adds max(0, estimate - recovered) to `confirmedLossCents` as soon as both
 *   the detection and the outcome are in, whichever came first; `false_positive` counts in
 *   `outcomes_false_positive`.
 *
 * Store slot only (never in `lastDelta`, so no summary carries them): per model version and
 * category, and per lane, the detections and the outcomes joined to them (model-quality.ts).
 *
 * Team week (ISO week of `resolvedAt`, UTC): an incident counts once per `incidentId`:
 * `incidents`, its resolution, `engineerMinutes`, and `minutesSaved` (see hours-saved.ts).
 */
export interface FoldResult {
  /**
   * The item after the fold; `version` and `lastDelta` (what this fold added) are advanced only
   * if something counted, otherwise it is the given state itself.
   */
  readonly next: HomeState;
  readonly counted: number;
  readonly duplicates: number;
}

export interface FoldOptions {
  readonly baselines: HoursSavedBaselines;
}

/**
 * Join state of a detection, serialized as `estimate|outcome|recovered` (empty = unknown). A
 * detection folded before its outcome also keeps, until the outcome comes, the slot-only
 * buckets its outcome will count in: `estimate|||model|category|lane` (model-quality.ts).
 */
interface DetectionJoin {
  estimate?: number;
  outcome?: string;
  recovered?: number;
  pending?: { model: string; category: string; lane: string };
}

function readJoin(text: string | undefined): DetectionJoin {
  if (text === undefined) return {};
  const [estimate = '', outcome = '', recovered = '', model, category, lane] = text.split('|');
  return {
    ...(estimate !== '' && { estimate: Number(estimate) }),
    ...(outcome !== '' && { outcome }),
    ...(recovered !== '' && { recovered: Number(recovered) }),
    ...(model !== undefined &&
      category !== undefined &&
      lane !== undefined && { pending: { model, category, lane } }),
  };
}

function writeJoin(join: DetectionJoin): string {
  const joined = `${join.estimate ?? ''}|${join.outcome ?? ''}|${join.recovered ?? ''}`;
  const p = join.outcome === undefined ? join.pending : undefined;
  return p === undefined ? joined : `${joined}|${p.model}|${p.category}|${p.lane}`;
}

function confirmedLoss(join: DetectionJoin): number {
  if (join.outcome !== 'confirmed_loss' || join.estimate === undefined) return 0;
  return Math.max(0, join.estimate - (join.recovered ?? 0));
}

/** What one fold adds to its slot alone, and the slot's model and lane buckets. */
interface SlotOnly {
  readonly counters: Counters;
  readonly buckets: SlotBuckets;
}

/** A detection and its outcome have both been folded: the outcome's slot-only counters. */
function countOutcome(
  slot: SlotOnly,
  at: NonNullable<DetectionJoin['pending']>,
  outcome: Outcome,
  recovered: number,
): void {
  bump(slot.counters, SlotOnlyCounters.quality(at.model, at.category, outcome));
  bump(slot.counters, SlotOnlyCounters.lane(at.lane, outcome));
  if (outcome !== 'false_positive') {
    bump(slot.counters, SlotOnlyCounters.quality(at.model, at.category, 'p'), recovered);
  }
}

function foldDetection(
  draft: HomeDraft,
  delta: Counters,
  slot: SlotOnly,
  event: DetectionEvent,
): void {
  const join = readJoin(draft.joins.get(event.detectionId));
  if (join.estimate !== undefined) {
    bump(delta, StoreCounters.ignoredDetections);
    return;
  }
  join.estimate = event.estimatedLossCents;
  bump(delta, StoreCounters.detections);
  bump(delta, StoreCounters.detectionsOf(event.category));
  bump(delta, StoreCounters.lossDetectedCents, event.estimatedLossCents);
  bump(delta, StoreCounters.confirmedLossCents, confirmedLoss(join));
  const at = {
    model: slot.buckets.model(modelKey(event.model)),
    category: event.category,
    lane: slot.buckets.lane(event.laneId),
  };
  bump(slot.counters, SlotOnlyCounters.quality(at.model, at.category, 'd'));
  bump(slot.counters, SlotOnlyCounters.lane(at.lane, 'd'));
  if (join.outcome === undefined) join.pending = at;
  else countOutcome(slot, at, join.outcome as Outcome, join.recovered ?? 0);
  draft.joins.set(event.detectionId, writeJoin(join));
}

function foldOutcome(
  draft: HomeDraft,
  delta: Counters,
  slot: SlotOnly,
  event: DetectionOutcomeEvent,
): void {
  const join = readJoin(draft.joins.get(event.detectionId));
  if (join.outcome !== undefined) {
    bump(delta, StoreCounters.ignoredOutcomes);
    return;
  }
  join.outcome = event.outcome;
  join.recovered = event.recoveredCents;
  bump(delta, StoreCounters.outcomes);
  bump(delta, StoreCounters.outcomesOf(event.outcome));
  if (event.outcome !== 'false_positive') {
    bump(delta, StoreCounters.lossPreventedCents, event.recoveredCents);
  }
  bump(delta, StoreCounters.confirmedLossCents, confirmedLoss(join));
  // A detection folded before slot-only counters existed has no pending buckets: its outcome
  // counts in the store's figures only, as its detection did.
  if (join.pending !== undefined) {
    countOutcome(slot, join.pending, event.outcome, event.recoveredCents);
  }
  draft.joins.set(event.detectionId, writeJoin(join));
}

function foldIncident(
  draft: HomeDraft,
  delta: Counters,
  event: OncallIncidentEvent,
  options: FoldOptions,
): void {
  if (draft.joins.has(event.incidentId)) {
    bump(delta, TeamCounters.ignoredIncidents);
    return;
  }
  draft.joins.set(event.incidentId, '');
  bump(delta, TeamCounters.incidents);
  bump(delta, TeamCounters.incidentsOf(event.resolution));
  bump(delta, TeamCounters.engineerMinutes, event.engineerMinutes);
  bump(delta, TeamCounters.minutesSaved, minutesSaved(options.baselines, event));
}

/** Folds `events` (all routed to `state`'s home) into it. Pure: `state` is not modified. */
export function foldEvents(
  state: HomeState,
  events: readonly TelemetryEvent[],
  options: FoldOptions,
): FoldResult {
  const draft = draftOf(state);
  const delta: Counters = {};
  const slot: SlotOnly = { counters: {}, buckets: new SlotBuckets(draft.counters) };
  let counted = 0;
  let duplicates = 0;
  for (const event of events) {
    let seen = draft.seen.get(event.deviceId);
    if (seen === undefined) {
      seen = SeqIntervals.empty();
      draft.seen.set(event.deviceId, seen);
    }
    if (!seen.add(event.seq)) {
      duplicates++;
      continue;
    }
    counted++;
    switch (event.type) {
      case 'detection':
        foldDetection(draft, delta, slot, event);
        break;
      case 'detection_outcome':
        foldOutcome(draft, delta, slot, event);
        break;
      case 'oncall_incident':
        foldIncident(draft, delta, event, options);
        break;
    }
  }
  if (counted === 0) return { next: state, counted, duplicates };
  for (const [name, value] of Object.entries(delta)) bump(draft.counters, name, value);
  for (const [name, value] of Object.entries(slot.counters)) bump(draft.counters, name, value);
  return {
    next: {
      key: state.key,
      region: state.region,
      test: state.test,
      version: state.version + 1,
      counters: draft.counters,
      seen: draft.seen,
      joins: draft.joins,
      lastDelta: delta,
    },
    counted,
    duplicates,
  };
}
