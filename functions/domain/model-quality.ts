import { DETECTION_CATEGORIES, type Outcome } from '#contract';
import type { Counters } from './counters.js';

/**
 * Model quality (per model version and category) and per-lane figures. Pure: no AWS.
 *
 * The fold (fold-events.ts) keeps them as slot-only counters: they live in the 15-minute store
 * slots, never in the slot's `lastDelta`, so store days and rollups (the hot path's summaries,
 * read by every dashboard) carry none of their bytes. A route reads them from the slots at
 * query time, like the hour-of-day table.
 *
 * Names (identifiers never hold `|` or `@`, so these parse back unambiguously):
 * - `q|{model}@{version}|{category}|{measure}`;
 * - `l|{laneId}|{measure}`;
 * - measures: `d` detections, `r` recovered, `c` confirmed loss, `f` false positive, and, for
 *   models only, `p` loss prevented (cents).
 *
 * A detection counts `d` when it is folded. Its outcome counts `r`, `c` or `f` (and `p`) when
 * the detection and its outcome have both been folded, whichever came first, so every outcome
 * counted is one of a detection counted under the same model and lane. One slot keeps at most
 * MAX_SLOT_MODELS model versions and MAX_SLOT_LANES lanes apart; the rest count as `(other)`,
 * which no identifier can be. That bounds what one hostile sender can add to a slot.
 */

export const MAX_SLOT_MODELS = 8;
export const MAX_SLOT_LANES = 64;
/**
 * Most model versions and lanes one answer lists apart, its busiest; the rest are added into
 * `(other)`. The slot bounds alone do not bound an answer: a sender naming new versions and
 * lanes in every slot of a 31-day period puts tens of thousands apart, tens of MB listed.
 */
export const MAX_ANSWER_MODELS = 16;
export const MAX_ANSWER_LANES = 64;
/** The bucket of the model versions or lanes past a slot's bounds. */
export const OTHER = '(other)';

type OutcomeMeasure = 'r' | 'c' | 'f';
const OUTCOME_MEASURES: Readonly<Record<Outcome, OutcomeMeasure>> = {
  recovered: 'r',
  confirmed_loss: 'c',
  false_positive: 'f',
};

const modelCounter = (model: string, category: string, measure: string) =>
  `q|${model}|${category}|${measure}`;
const laneCounter = (laneId: string, measure: string) => `l|${laneId}|${measure}`;

export const SlotOnlyCounters = {
  quality: (model: string, category: string, measure: 'd' | 'p' | Outcome) =>
    modelCounter(
      model,
      category,
      measure === 'd' || measure === 'p' ? measure : OUTCOME_MEASURES[measure],
    ),
  lane: (laneId: string, measure: 'd' | Outcome) =>
    laneCounter(laneId, measure === 'd' ? measure : OUTCOME_MEASURES[measure]),
};

/** A model version's bucket name: `name@version`. */
export const modelKey = (model: { name: string; version: string }) =>
  `${model.name}@${model.version}`;

/**
 * The model and lane buckets of one slot while a batch folds into it: a known one, a new one
 * while the slot has room, else OTHER.
 */
export class SlotBuckets {
  private readonly models = new Set<string>();
  private readonly lanes = new Set<string>();

  constructor(counters: Readonly<Counters>) {
    for (const name of Object.keys(counters)) {
      const parts = name.split('|');
      if (parts[0] === 'q' && parts.length === 4) this.models.add(parts[1] as string);
      else if (parts[0] === 'l' && parts.length === 3) this.lanes.add(parts[1] as string);
    }
    this.models.delete(OTHER);
    this.lanes.delete(OTHER);
  }

  model(key: string): string {
    return admit(this.models, key, MAX_SLOT_MODELS);
  }

  lane(laneId: string): string {
    return admit(this.lanes, laneId, MAX_SLOT_LANES);
  }
}

function admit(known: Set<string>, key: string, max: number): string {
  if (known.has(key)) return key;
  if (known.size >= max) return OTHER;
  known.add(key);
  return key;
}

/** A model row of a slot's packed state: model key, category, then d, r, c, f, p. */
export type ModelRow = [string, string, number, number, number, number, number];
/** A lane row of a slot's packed state: lane id, then d, r, c, f. */
export type LaneRow = [string, number, number, number, number];

const MODEL_MEASURES = ['d', 'r', 'c', 'f', 'p'] as const;
const LANE_MEASURES = ['d', 'r', 'c', 'f'] as const;

/**
 * A slot's counters split for packing: the slot-only ones as one row per model and category
 * and one per lane (a name is then written once, not once per measure), the rest as they are.
 * Sorted, so equal counters give equal rows.
 */
export function toSlotRows(counters: Readonly<Counters>): {
  rest: Counters;
  models: ModelRow[];
  lanes: LaneRow[];
} {
  const rest: Counters = {};
  const models = new Map<string, ModelRow>();
  const lanes = new Map<string, LaneRow>();
  for (const [name, value] of Object.entries(counters)) {
    const parts = name.split('|');
    const m = parts[parts.length - 1] as string;
    if (parts[0] === 'q' && parts.length === 4 && MODEL_MEASURES.includes(m as 'd')) {
      const key = `${parts[1]}|${parts[2]}`;
      const row = entry(
        models,
        key,
        (): ModelRow => [parts[1] as string, parts[2] as string, 0, 0, 0, 0, 0],
      );
      row[2 + MODEL_MEASURES.indexOf(m as 'd')] = value;
    } else if (parts[0] === 'l' && parts.length === 3 && LANE_MEASURES.includes(m as 'd')) {
      const row = entry(lanes, parts[1] as string, (): LaneRow => [parts[1] as string, 0, 0, 0, 0]);
      row[1 + LANE_MEASURES.indexOf(m as 'd')] = value;
    } else {
      rest[name] = value;
    }
  }
  const sorted = <R extends [string, ...unknown[]]>(rows: Map<string, R>) =>
    [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  return { rest, models: sorted(models), lanes: sorted(lanes) };
}

/** The counters of toSlotRows' rows, added into `into` (zeros are not counters). */
export function fromSlotRows(
  into: Counters,
  models: readonly ModelRow[],
  lanes: readonly LaneRow[],
): Counters {
  for (const [model, category, ...values] of models) {
    values.forEach((v, i) => {
      if (v !== 0) into[modelCounter(model, category, MODEL_MEASURES[i] as string)] = v;
    });
  }
  for (const [lane, ...values] of lanes) {
    values.forEach((v, i) => {
      if (v !== 0) into[laneCounter(lane, LANE_MEASURES[i] as string)] = v;
    });
  }
  return into;
}

/** The raw measures of one bucket. */
export interface QualityCounts {
  detections: number;
  recovered: number;
  confirmed_loss: number;
  false_positive: number;
  lossPreventedCents: number;
}

const MEASURE_FIELDS: Readonly<Record<string, keyof QualityCounts>> = {
  d: 'detections',
  r: 'recovered',
  c: 'confirmed_loss',
  f: 'false_positive',
  p: 'lossPreventedCents',
};

/** The entry of `key`, added by `make` when absent. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

const zeroCounts = (): QualityCounts => ({
  detections: 0,
  recovered: 0,
  confirmed_loss: 0,
  false_positive: 0,
  lossPreventedCents: 0,
});

/** The sum of some buckets' counts. */
export function totalOf(counts: Iterable<Readonly<QualityCounts>>): QualityCounts {
  const total = zeroCounts();
  for (const c of counts) addInto(total, c);
  return total;
}

function addInto(into: QualityCounts, from: Readonly<QualityCounts>): void {
  for (const field of Object.keys(into) as (keyof QualityCounts)[]) into[field] += from[field];
}

/**
 * The slot-only counters named `{kind}|...|{measure}` in these slots, with `names` parts between
 * the two: each one's names, the field its measure adds to, and its value.
 */
function* slotOnlyOf(slots: Iterable<Readonly<Counters>>, kind: 'q' | 'l', names: number) {
  for (const counters of slots) {
    for (const [name, value] of Object.entries(counters)) {
      const parts = name.split('|');
      if (parts[0] !== kind || parts.length !== names + 2) continue;
      const field = MEASURE_FIELDS[parts[names + 1] as string];
      if (field !== undefined) yield { names: parts.slice(1, names + 1) as string[], field, value };
    }
  }
}

/** Per model key, per category: the slot-only counters of these slots, summed. */
export function modelCounts(
  slots: Iterable<Readonly<Counters>>,
): Map<string, Map<string, QualityCounts>> {
  const byModel = new Map<string, Map<string, QualityCounts>>();
  for (const { names, field, value } of slotOnlyOf(slots, 'q', 2)) {
    const [model, category] = names as [string, string];
    entry(
      entry(byModel, model, () => new Map()),
      category,
      zeroCounts,
    )[field] += value;
  }
  return byModel;
}

/** Per lane: the slot-only lane counters of these slots, summed. */
export function laneCounts(slots: Iterable<Readonly<Counters>>): Map<string, QualityCounts> {
  const byLane = new Map<string, QualityCounts>();
  for (const { names, field, value } of slotOnlyOf(slots, 'l', 1)) {
    if (field !== 'lossPreventedCents')
      entry(byLane, names[0] as string, zeroCounts)[field] += value;
  }
  return byLane;
}

export interface OutcomeCounts {
  recovered: number;
  confirmed_loss: number;
  false_positive: number;
}

/** false_positive / resolved outcomes; null when none resolved. */
export function falsePositiveRate(o: OutcomeCounts): number | null {
  const resolved = o.recovered + o.confirmed_loss + o.false_positive;
  return resolved === 0 ? null : o.false_positive / resolved;
}

/** The figures an answer shows for one bucket. */
export interface QualityFigures {
  detections: number;
  outcomes: OutcomeCounts & { open: number };
  falsePositiveRate: number | null;
  lossPreventedCents: number;
  lossPreventedPerDetectionCents: number | null;
}

export function qualityFigures(c: Readonly<QualityCounts>): QualityFigures {
  const resolved = c.recovered + c.confirmed_loss + c.false_positive;
  return {
    detections: c.detections,
    outcomes: {
      recovered: c.recovered,
      confirmed_loss: c.confirmed_loss,
      false_positive: c.false_positive,
      open: Math.max(0, c.detections - resolved),
    },
    falsePositiveRate: falsePositiveRate(c),
    lossPreventedCents: c.lossPreventedCents,
    lossPreventedPerDetectionCents:
      c.detections === 0 ? null : Math.round(c.lossPreventedCents / c.detections),
  };
}

export interface VersionQuality {
  model: string;
  version: string;
  total: QualityFigures;
  categories: (QualityFigures & { category: string })[];
}

/** One model key's figures: every category in contract order, and their total. */
export function versionQuality(
  key: string,
  byCategory: ReadonlyMap<string, QualityCounts> | undefined,
): VersionQuality {
  const at = key.indexOf('@');
  const total = zeroCounts();
  const categories = DETECTION_CATEGORIES.map((category) => {
    const counts = byCategory?.get(category) ?? zeroCounts();
    addInto(total, counts);
    return { category, ...qualityFigures(counts) };
  });
  return {
    model: at < 0 ? key : key.slice(0, at),
    version: at < 0 ? key : key.slice(at + 1),
    total: qualityFigures(total),
    categories,
  };
}

/** Sums per-model counts (of many stores) into the first. */
export function addModelCounts(
  into: Map<string, Map<string, QualityCounts>>,
  from: ReadonlyMap<string, ReadonlyMap<string, QualityCounts>>,
): void {
  for (const [model, byCategory] of from) {
    addCategories(
      entry(into, model, () => new Map<string, QualityCounts>()),
      byCategory,
    );
  }
}

/** Adds one model key's per-category counts into another's. */
function addCategories(
  into: Map<string, QualityCounts>,
  from: ReadonlyMap<string, QualityCounts>,
): void {
  for (const [category, counts] of from) addInto(entry(into, category, zeroCounts), counts);
}

/**
 * The `max` buckets of `counts` with the most detections (then by name) and, when some are
 * left out, OTHER holding them and what OTHER already held. `counts` is not modified.
 */
function busiest<V, O extends V>(
  counts: ReadonlyMap<string, V>,
  max: number,
  detections: (v: V) => number,
  add: (into: O, from: V) => void,
  empty: () => O,
): Map<string, V> {
  const ranked = [...counts]
    .filter(([key]) => key !== OTHER)
    .sort(([a, x], [b, y]) => detections(y) - detections(x) || a.localeCompare(b));
  if (ranked.length <= max) return new Map(counts);
  const other = empty();
  const held = counts.get(OTHER);
  if (held !== undefined) add(other, held);
  for (const [, v] of ranked.slice(max)) add(other, v);
  return new Map([...ranked.slice(0, max), [OTHER, other]]);
}

/** Per-model counts with at most `max` model keys apart, the rest in OTHER. */
export function busiestModels(
  counts: ReadonlyMap<string, ReadonlyMap<string, QualityCounts>>,
  max = MAX_ANSWER_MODELS,
): Map<string, ReadonlyMap<string, QualityCounts>> {
  return busiest(counts, max, detectionsOf, addCategories, () => new Map<string, QualityCounts>());
}

/** Per-lane counts with at most `max` lanes apart, the rest in OTHER. */
export function busiestLanes(
  counts: ReadonlyMap<string, QualityCounts>,
  max = MAX_ANSWER_LANES,
): Map<string, QualityCounts> {
  return busiest(counts, max, (c) => c.detections, addInto, zeroCounts);
}

/** Detections of one model key over its categories. */
export function detectionsOf(byCategory: ReadonlyMap<string, QualityCounts> | undefined): number {
  let n = 0;
  for (const c of byCategory?.values() ?? []) n += c.detections;
  return n;
}

export const FLAG_RULE =
  "A lane is flagged when it has at least 10 resolved outcomes and its false-positive rate is at least the store's rate + 0.20 and at least 1.5 x the store's rate";

/** The flag rule of FLAG_RULE. */
export function laneFlagged(lane: OutcomeCounts, storeRate: number | null): boolean {
  const resolved = lane.recovered + lane.confirmed_loss + lane.false_positive;
  const rate = falsePositiveRate(lane);
  if (resolved < 10 || rate === null || storeRate === null) return false;
  return rate >= storeRate + 0.2 && rate >= 1.5 * storeRate;
}
