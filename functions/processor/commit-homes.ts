import type { TelemetryEvent } from '../../edge-client/src/contract/index.js';
import {
  type HomeKey,
  homeItemKey,
  itemId,
  type RollupTarget,
  rollupTargetsOf,
} from '../domain/aggregate-keys.js';
import { type FoldOptions, foldEvents } from '../domain/fold-events.js';
import { emptyHome, type HomeState } from '../domain/home-state.js';
import { encodeSnapshot } from '../domain/snapshots.js';
import { RollupGapError, WriteContentionError } from './errors.js';
import { type AggregateStore, type RollupContribution, rollupVersionId } from './ports.js';

/** The events of one batch that count in one home item. */
export interface HomeWork {
  readonly key: HomeKey;
  readonly region: string | undefined;
  readonly events: readonly TelemetryEvent[];
}

export interface HomeCommit {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: unknown;
  readonly counted: number;
  readonly duplicates: number;
  readonly written: boolean;
}

export interface CommitStats {
  homeWrites: number;
  rollupWrites: number;
  rollupRepairs: number;
  conflicts: number;
}

const MAX_ATTEMPTS = 8;

/**
 * Commits one batch's events into their home items and the rollups those feed, exactly once,
 * with only single-item conditional writes (no transactions, no per-event idempotency rows).
 *
 * The protocol, per home item H with rollup targets R1..Rn:
 * 1. Read H (consistent). Each Ri records, per contributor, the version of H it has absorbed.
 *    If Ri is one version behind (a crash between writing H and writing Ri), add H.lastDelta
 *    to Ri, conditional on Ri still being at that version.
 * 2. Fold the events into H. Events H already counted (by device seq) change nothing; if none
 *    are new, H is not written at all, which is why a replay from TRIM_HORIZON leaves every
 *    aggregate bit-identical.
 * 3. Put H with version+1 and lastDelta = this fold's delta, conditional on the version read
 *    in step 1. A conflict (a racing invocation) re-reads and starts again from step 1.
 * 4. Add the delta to each Ri, conditional on Ri being at the old version; contributions of
 *    several homes to the same rollup item share one write.
 *
 * A crash anywhere leaves state that the retry's step 1 and 2 complete: H never advances past
 * a version its rollups have not absorbed, so `lastDelta` is always enough to catch up.
 */
export async function commitHomes(
  work: readonly HomeWork[],
  store: AggregateStore,
  options: FoldOptions,
  stats: CommitStats,
): Promise<HomeCommit[]> {
  const stored = await store.loadHomes(work.map((w) => w.key));
  const states = new Map<string, HomeState>();
  for (const w of work) {
    const id = itemId(homeItemKey(w.key));
    states.set(id, stored.get(id) ?? emptyHome(w.key, w.region));
  }

  const existing = [...states.values()].filter((s) => s.version > 0);
  const targets = existing.flatMap((s) => rollupTargetsOf(s.key, s.region));
  const versions = targets.length > 0 ? await store.loadRollupVersions(targets) : new Map();

  const results = await mapLimit(
    work,
    16,
    async (w): Promise<HomeCommit & { next?: HomeState; previous?: HomeState }> => {
      const id = itemId(homeItemKey(w.key));
      try {
        let state = states.get(id) as HomeState;
        await catchUpRollups(state, store, stats, versions);
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const fold = foldEvents(state, w.events, options);
          if (fold.counted === 0) {
            return { id, ok: true, counted: 0, duplicates: fold.duplicates, written: false };
          }
          stats.homeWrites++;
          if ((await store.putHome(fold.next, state.version)) === 'ok') {
            return {
              id,
              ok: true,
              counted: fold.counted,
              duplicates: fold.duplicates,
              written: true,
              next: fold.next,
              previous: state,
            };
          }
          stats.conflicts++;
          state = (await store.loadHomes([w.key])).get(id) ?? emptyHome(w.key, w.region);
          await catchUpRollups(state, store, stats);
        }
        throw new WriteContentionError(id);
      } catch (error) {
        return { id, ok: false, error, counted: 0, duplicates: 0, written: false };
      }
    },
  );

  // Step 4: one write per rollup item, carrying every home that advanced in this batch.
  const byRollup = new Map<
    string,
    { target: RollupTarget; homes: string[]; contributions: RollupContribution[] }
  >();
  const written = new Map<string, HomeState>();
  for (const r of results) {
    if (r.next === undefined || r.previous === undefined) continue;
    written.set(r.id, r.next);
    for (const target of rollupTargetsOf(r.next.key, r.next.region)) {
      const rid = itemId(target);
      const group = byRollup.get(rid) ?? { target, homes: [], contributions: [] };
      group.homes.push(r.id);
      group.contributions.push({
        contributor: target.contributor,
        fromVersion: r.previous.version,
        toVersion: r.next.version,
        delta: r.next.lastDelta,
        snapshot: encodeSnapshot(target.snapshot, r.next.counters),
      });
      byRollup.set(rid, group);
    }
  }
  const failedHomes = new Map<string, unknown>();
  await mapLimit([...byRollup.values()], 16, async (group) => {
    stats.rollupWrites++;
    try {
      if ((await store.addToRollup(group.target, group.contributions)) === 'ok') return;
    } catch (error) {
      for (const home of group.homes) failedHomes.set(home, error);
      return;
    }
    stats.conflicts++;
    // Someone else moved one of the contributors (a repair by a racing invocation): settle
    // each home on its own, from what the rollup holds now.
    for (const home of group.homes) {
      const next = written.get(home) as HomeState;
      const target = rollupTargetsOf(next.key, next.region).find(
        (t) => itemId(t) === itemId(group.target),
      );
      try {
        if (target !== undefined) await catchUpRollups(next, store, stats, undefined, [target]);
      } catch (error) {
        failedHomes.set(home, error);
      }
    }
  });

  return results.map(({ next: _next, previous: _previous, ...r }) =>
    failedHomes.has(r.id) ? { ...r, ok: false, error: failedHomes.get(r.id) } : r,
  );
}

/**
 * Brings every rollup of `home` up to `home.version`. Only a one-version lag is repairable (and
 * the protocol never creates a larger one); an absorbed version at or past the home's is done.
 */
async function catchUpRollups(
  home: HomeState,
  store: AggregateStore,
  stats: CommitStats,
  known?: Map<string, number>,
  only?: readonly RollupTarget[],
): Promise<void> {
  if (home.version === 0) return;
  const targets = only ?? rollupTargetsOf(home.key, home.region);
  let versions = known ?? (await store.loadRollupVersions(targets));
  for (const target of targets) {
    for (let attempt = 1; ; attempt++) {
      const absorbed = versions.get(rollupVersionId(target)) ?? 0;
      if (absorbed >= home.version) break;
      if (absorbed !== home.version - 1) {
        throw new RollupGapError(rollupVersionId(target), absorbed, home.version);
      }
      stats.rollupRepairs++;
      const result = await store.addToRollup(target, [
        {
          contributor: target.contributor,
          fromVersion: absorbed,
          toVersion: home.version,
          delta: home.lastDelta,
          snapshot: encodeSnapshot(target.snapshot, home.counters),
        },
      ]);
      if (result === 'ok') break;
      if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(rollupVersionId(target));
      versions = await store.loadRollupVersions([target]);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
