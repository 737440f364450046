import type { HomeKey } from './aggregate-keys.js';
import type { Counters } from './counters.js';
import { SeqIntervals } from './seq-intervals.js';

/**
 * The state of one home aggregate item (a 15-minute store slot or a team week part).
 *
 * Besides the counters it carries everything needed to make its own updates exactly-once
 * without a second table or a transaction:
 * - `seen`: per sending device, the sequence numbers already counted here;
 * - `joins`: per detection (store slot) or incident (team week part), what has been counted
 *   of it;
 * - `version` and `lastDelta`: the item's write count and the counters its last write added,
 *   from which the summary (store day or team week) that missed that write can be repaired.
 */
export interface HomeState {
  readonly key: HomeKey;
  readonly region: string | undefined;
  /** Test data (a test store's slot): its summary rolls up nowhere (RollupScope). */
  readonly test: boolean;
  readonly version: number;
  readonly counters: Counters;
  readonly seen: ReadonlyMap<string, SeqIntervals>;
  readonly joins: ReadonlyMap<string, string>;
  readonly lastDelta: Counters;
}

export function emptyHome(key: HomeKey, region: string | undefined, test = false): HomeState {
  return {
    key,
    region,
    test,
    version: 0,
    counters: {},
    seen: new Map(),
    joins: new Map(),
    lastDelta: {},
  };
}

/** A mutable working copy used while folding a batch into a home. */
export interface HomeDraft {
  readonly counters: Counters;
  readonly seen: Map<string, SeqIntervals>;
  readonly joins: Map<string, string>;
}

export function draftOf(state: HomeState): HomeDraft {
  return {
    counters: { ...state.counters },
    seen: new Map([...state.seen].map(([device, s]) => [device, SeqIntervals.parse(s.toString())])),
    joins: new Map(state.joins),
  };
}
