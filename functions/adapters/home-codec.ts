import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Counters } from '#domain/counters';
import { fromSlotRows, type LaneRow, type ModelRow, toSlotRows } from '#domain/model-quality';
import { SeqIntervals } from '#domain/seq-intervals';
import { countersOf, type Item, readNumberMap, readStringMap } from './item-codec.js';
import {
  byFirst,
  isNumberRecord,
  isStringPairs,
  PackedAttributeError,
  packAttribute,
  sortedRecord,
  unpackAttribute,
} from './packed-attribute.js';

/**
 * How home items (store slots, team week parts) and summaries (store days, team weeks) keep
 * their bookkeeping, in one packed attribute, `packed` (packed-attribute.ts).
 *
 * A home is rewritten by every batch that touches it and no reader but the processor looks
 * inside it, so all of its state is packed: `seen` (per device, the seq intervals counted),
 * `joins` (per detection or incident, what has been counted of it), its counters and its
 * `lastDelta`. A slot's slot-only counters (per model version and category, per lane:
 * model-quality.ts) are packed as rows, `models` and `lanes`, each naming its model or lane
 * once rather than once per measure; a release before them ignores the two fields (and drops
 * them at its next write of the slot: those counters, never the store's figures). A 15-minute slot of 300 detections from 40 lanes packs to about 6.8 KB, against
 * 15.7 KB for the same maps as DynamoDB attributes; a slot's first write, with a few events,
 * fits one write unit.
 *
 * A summary's counters stay plain number attributes, which the API reads; its `absorbed` (the
 * version of each slot or part it has added) and `lastDelta` are packed.
 *
 * Items written before this layout hold these as DynamoDB attributes (counters as numbers,
 * `seen`, `joins`, `absorbed` and `lastDelta` as maps); they are still read, and their next
 * write packs them.
 */

const HOME_LAYOUT = 1;
const SUMMARY_LAYOUT = 1;

export interface HomeBookkeeping {
  readonly seen: ReadonlyMap<string, SeqIntervals>;
  readonly joins: ReadonlyMap<string, string>;
  readonly counters: Readonly<Counters>;
  readonly lastDelta: Readonly<Counters>;
}

export interface SummaryBookkeeping {
  readonly absorbed: ReadonlyMap<string, number>;
  readonly lastDelta: Readonly<Counters>;
}

/** The `packed` attribute of a home. Deterministic. */
export function packHomeState(state: HomeBookkeeping): AttributeValue {
  const { rest, models, lanes } = toSlotRows(state.counters);
  return packAttribute(HOME_LAYOUT, {
    seen: [...state.seen].map(([device, s]) => [device, s.toString()] as const).sort(byFirst),
    joins: [...state.joins].sort(byFirst),
    counters: sortedRecord(rest),
    ...(models.length > 0 && { models }),
    ...(lanes.length > 0 && { lanes }),
    lastDelta: sortedRecord(state.lastDelta),
  });
}

const isRows = (value: unknown, names: number, numbers: number) =>
  Array.isArray(value) &&
  value.every(
    (row) =>
      Array.isArray(row) &&
      row.length === names + numbers &&
      row.every((v, i) =>
        i < names ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v),
      ),
  );

/** A home's bookkeeping: from `packed`, or from the attributes of the earlier layout. */
export function unpackHomeState(item: Readonly<Item>): {
  seen: Map<string, SeqIntervals>;
  joins: Map<string, string>;
  counters: Counters;
  lastDelta: Counters;
} {
  const packed = item.packed?.B;
  if (packed === undefined) {
    return {
      seen: new Map([...readStringMap(item.seen)].map(([d, s]) => [d, SeqIntervals.parse(s)])),
      joins: readStringMap(item.joins),
      counters: countersOf(item),
      lastDelta: readNumberMap(item.lastDelta),
    };
  }
  const {
    seen,
    joins,
    counters,
    models = [],
    lanes = [],
    lastDelta,
  } = unpackAttribute(packed, HOME_LAYOUT, 'packed home state');
  if (
    !isStringPairs(seen) ||
    !isStringPairs(joins) ||
    !isNumberRecord(counters) ||
    !isNumberRecord(lastDelta)
  ) {
    throw new PackedAttributeError('packed home state without seen, joins, counters, lastDelta');
  }
  if (!isRows(models, 2, 5) || !isRows(lanes, 1, 4)) {
    throw new PackedAttributeError('packed home state with malformed model or lane rows');
  }
  return {
    seen: new Map(seen.map(([d, s]) => [d, SeqIntervals.parse(s)])),
    joins: new Map(joins),
    counters: fromSlotRows(counters, models as ModelRow[], lanes as LaneRow[]),
    lastDelta,
  };
}

/** The `packed` attribute of a summary. Deterministic. */
export function packSummaryState(state: SummaryBookkeeping): AttributeValue {
  return packAttribute(SUMMARY_LAYOUT, {
    absorbed: sortedRecord(Object.fromEntries(state.absorbed)),
    lastDelta: sortedRecord(state.lastDelta),
  });
}

/** A summary's absorbed versions and last delta: from `packed`, or the earlier layout's maps. */
export function unpackSummaryState(item: Readonly<Item>): {
  absorbed: Map<string, number>;
  lastDelta: Counters;
} {
  const packed = item.packed?.B;
  if (packed === undefined) {
    return {
      absorbed: new Map(Object.entries(readNumberMap(item.absorbed))),
      lastDelta: readNumberMap(item.lastDelta),
    };
  }
  const { absorbed, lastDelta } = unpackAttribute(packed, SUMMARY_LAYOUT, 'packed summary state');
  if (!isNumberRecord(absorbed) || !isNumberRecord(lastDelta)) {
    throw new PackedAttributeError('packed summary state without absorbed, lastDelta');
  }
  return { absorbed: new Map(Object.entries(absorbed)), lastDelta };
}
