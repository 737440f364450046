import type { SummaryKey } from './aggregate-keys.js';
import { bump, type Counters } from './counters.js';

/**
 * A versioned delta from one contributor (a home item) to an item that adds it up: the
 * contributor moved from `fromVersion` to `toVersion`, adding `delta` to its counters.
 */
export interface Contribution {
  readonly contributor: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly delta: Readonly<Counters>;
}

/**
 * A store day (the sum of its store slots) or a team week (the sum of its parts). It is
 * a rollup of its homes (`absorbed` holds the version of each slot or part it has added) and
 * a contributor to the rollups (`version` and `lastDelta` let them catch up with it).
 */
export interface SummaryState {
  readonly key: SummaryKey;
  readonly region: string | undefined;
  /** Test data (a test store's day): it feeds no rollup (RollupScope). */
  readonly test: boolean;
  readonly version: number;
  readonly counters: Counters;
  readonly absorbed: ReadonlyMap<string, number>;
  readonly lastDelta: Counters;
}

export function emptySummary(
  key: SummaryKey,
  region: string | undefined,
  test = false,
): SummaryState {
  return { key, region, test, version: 0, counters: {}, absorbed: new Map(), lastDelta: {} };
}

/** A contribution that skips versions: the summary missed a write it can no longer repair. */
export class ContributionGapError extends Error {
  constructor(
    readonly contributor: string,
    readonly absorbed: number,
    readonly fromVersion: number,
  ) {
    super(
      `contributor ${contributor} is at version ${absorbed} in its summary, a delta starts at ${fromVersion}`,
    );
    this.name = 'ContributionGapError';
  }
}

export interface AbsorbResult {
  /** The summary after absorbing; unchanged (same object) when nothing was new. */
  readonly next: SummaryState;
  /** The contributions that were new; the others had been absorbed already. */
  readonly applied: readonly Contribution[];
}

/**
 * Adds the contributions the summary has not absorbed yet, as one new version whose
 * `lastDelta` is their sum. A contribution at or behind what the summary holds is a repeat
 * and is skipped; one that starts past it is a gap and throws. Pure.
 */
export function absorbContributions(
  state: SummaryState,
  contributions: readonly Contribution[],
): AbsorbResult {
  const absorbed = new Map(state.absorbed);
  const applied: Contribution[] = [];
  const delta: Counters = {};
  for (const c of contributions) {
    const at = absorbed.get(c.contributor) ?? 0;
    if (at >= c.toVersion) continue;
    if (at !== c.fromVersion) throw new ContributionGapError(c.contributor, at, c.fromVersion);
    absorbed.set(c.contributor, c.toVersion);
    for (const [name, value] of Object.entries(c.delta)) bump(delta, name, value);
    applied.push(c);
  }
  if (applied.length === 0) return { next: state, applied };
  const counters = { ...state.counters };
  for (const [name, value] of Object.entries(delta)) bump(counters, name, value);
  return {
    next: {
      key: state.key,
      region: state.region,
      test: state.test,
      version: state.version + 1,
      counters,
      absorbed,
      lastDelta: delta,
    },
    applied,
  };
}
