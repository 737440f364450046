import type { TelemetryEvent } from '../../edge-client/src/contract/index.js';
import {
  contributorOf,
  type HomeKey,
  homeItemKey,
  itemId,
  type RollupTarget,
  rollupTargetsOf,
  type SummaryKey,
  summaryItemKey,
  summaryOf,
} from '../domain/aggregate-keys.js';
import type { Counters } from '../domain/counters.js';
import { type FoldOptions, foldEvents } from '../domain/fold-events.js';
import { emptyHome, type HomeState } from '../domain/home-state.js';
import { encodeSnapshot } from '../domain/snapshots.js';
import {
  absorbContributions,
  type Contribution,
  ContributionGapError,
  emptySummary,
  type SummaryState,
} from '../domain/summary-state.js';
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
}

export interface CommitStats {
  homeWrites: number;
  summaryWrites: number;
  rollupWrites: number;
  rollupRepairs: number;
  conflicts: number;
}

const MAX_ATTEMPTS = 8;

/** An item that feeds rollups: a store day, or a team week. */
interface LedgerNode {
  readonly key: SummaryKey;
  readonly region: string | undefined;
  readonly version: number;
  readonly counters: Counters;
  readonly lastDelta: Counters;
}

/** A node's move from one version to the next, which its rollups must absorb. */
interface Advance {
  readonly before: LedgerNode;
  readonly after: LedgerNode;
  /** The home items whose commit depends on the rollups absorbing this advance. */
  readonly homes: readonly string[];
}

/**
 * Commits one batch's events into their home items, the summaries those feed and the
 * rollups, exactly once, with only single-item conditional writes (no transactions, no
 * per-event idempotency rows).
 *
 * The data flows along a tree: store slot -> store day -> day rollups, and team week part ->
 * team week -> week rollups. Each arrow is a *versioned delta*: the downstream item records, per upstream
 * contributor, the version of it that it has absorbed, and the upstream item keeps the delta
 * of its last write (`lastDelta`). The one invariant is that no item advances past a version
 * its downstream items have not absorbed, so a downstream item is at most one version behind
 * and `lastDelta` is always enough to repair it.
 *
 * Per home item H (a store slot or a team week part) and its summary S (its store day or team week):
 * 1. Read H (consistent). If S is one version behind H (a crash between writing H and
 *    writing S), add H.lastDelta to it first. S is itself brought up to date with its rollups
 *    before it advances.
 * 2. Fold the events into H. Events H already counted (by device seq) change nothing; if none
 *    are new, H is not written at all, which is why a replay from TRIM_HORIZON leaves every
 *    aggregate bit-identical.
 * 3. Put H with version+1 and lastDelta = this fold's delta, conditional on the version read
 *    in step 1. A conflict (a racing invocation) re-reads and starts again from step 1.
 * 4. Advance each S once with the deltas of all its homes written in this batch (a put
 *    conditional on S's version), then add the deltas of every advanced summary to the
 *    rollups, one conditional write per rollup item for the whole batch.
 *
 * A crash anywhere leaves state that the retry's step 1 completes.
 */
export async function commitAggregates(
  work: readonly HomeWork[],
  store: AggregateStore,
  options: FoldOptions,
  stats: CommitStats,
): Promise<HomeCommit[]> {
  const tree = new LedgerTree(store, stats);
  await tree.preload(work);

  // Steps 1 to 3, per home.
  const results = await mapLimit(
    work,
    16,
    async (w): Promise<HomeCommit & { next?: HomeState; previous?: HomeState }> => {
      const id = itemId(homeItemKey(w.key));
      try {
        let state = tree.home(w);
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          await tree.catchUpHome(state);
          const fold = foldEvents(state, w.events, options);
          if (fold.counted === 0) {
            return { id, ok: true, counted: 0, duplicates: fold.duplicates };
          }
          stats.homeWrites++;
          if ((await store.putHome(fold.next, state.version)) === 'ok') {
            return {
              id,
              ok: true,
              counted: fold.counted,
              duplicates: fold.duplicates,
              next: fold.next,
              previous: state,
            };
          }
          stats.conflicts++;
          state = (await store.loadHomes([w.key])).get(id) ?? emptyHome(w.key, w.region);
        }
        throw new WriteContentionError(id);
      } catch (error) {
        return { id, ok: false, error, counted: 0, duplicates: 0 };
      }
    },
  );

  // Step 4: summaries (store days, team weeks) first, then every rollup item once.
  const failed = new Map<string, unknown>();
  const advances: Advance[] = [];
  const bySummary = new Map<
    string,
    { key: SummaryKey; region: string | undefined; homes: string[]; contributions: Contribution[] }
  >();
  for (const r of results) {
    if (r.next === undefined || r.previous === undefined) continue;
    const summary = summaryOf(r.next.key);
    const sid = itemId(summaryItemKey(summary));
    const group = bySummary.get(sid) ?? {
      key: summary,
      region: r.next.region,
      homes: [],
      contributions: [],
    };
    group.homes.push(r.id);
    group.contributions.push(homeContribution(r.next, r.previous.version));
    bySummary.set(sid, group);
  }
  await mapLimit([...bySummary.values()], 16, async (group) => {
    try {
      const advance = await tree.advanceSummary(group.key, group.region, group.contributions, {
        deliver: false,
      });
      if (advance !== undefined) advances.push({ ...advance, homes: group.homes });
    } catch (error) {
      for (const home of group.homes) failed.set(home, error);
    }
  });
  for (const [home, error] of await tree.deliverToRollups(advances)) failed.set(home, error);

  return results.map(({ next: _next, previous: _previous, ...r }) =>
    failed.has(r.id) ? { ...r, ok: false, error: failed.get(r.id) } : r,
  );
}

/** The delta a home's latest write owes its summary (a slot its store day, a part its week). */
function homeContribution(home: HomeState, fromVersion = home.version - 1): Contribution {
  return {
    contributor: contributorOf(home.key),
    fromVersion,
    toVersion: home.version,
    delta: home.lastDelta,
  };
}

function rollupContribution(target: RollupTarget, node: LedgerNode, fromVersion: number) {
  return {
    contributor: target.contributor,
    fromVersion,
    toVersion: node.version,
    delta: node.lastDelta,
    snapshot: encodeSnapshot(target.snapshot, node.counters),
  } satisfies RollupContribution;
}

/**
 * The batch's view of the items it touches. Cached summaries and rollup versions are never
 * ahead of the table (versions only grow, and the cache is updated only by reads and by our
 * own successful writes), so a cached value can at worst cause a conditional write to fail,
 * after which the item is read again.
 */
class LedgerTree {
  private readonly homes = new Map<string, HomeState>();
  private readonly summaries = new Map<string, SummaryState>();
  private readonly rollupVersions = new Map<string, number>();

  constructor(
    private readonly store: AggregateStore,
    private readonly stats: CommitStats,
  ) {}

  async preload(work: readonly HomeWork[]): Promise<void> {
    const stored = await this.store.loadHomes(work.map((w) => w.key));
    for (const [id, state] of stored) this.homes.set(id, state);
    const summaryKeys = new Map<string, { key: SummaryKey; region: string | undefined }>();
    for (const w of work) {
      const key = summaryOf(w.key);
      summaryKeys.set(itemId(summaryItemKey(key)), { key, region: w.region });
    }
    if (summaryKeys.size > 0) {
      const stored = await this.store.loadSummaries([...summaryKeys.values()].map((s) => s.key));
      for (const [id, { key, region }] of summaryKeys) {
        this.summaries.set(id, stored.get(id) ?? emptySummary(key, region));
      }
    }
    const nodes: LedgerNode[] = [...this.summaries.values()].filter((s) => s.version > 0);
    const targets = nodes.flatMap((n) => rollupTargetsOf(n.key, n.region));
    if (targets.length > 0) {
      for (const [id, v] of await this.store.loadRollupVersions(targets)) {
        this.rollupVersions.set(id, v);
      }
    }
  }

  home(w: HomeWork): HomeState {
    return this.homes.get(itemId(homeItemKey(w.key))) ?? emptyHome(w.key, w.region);
  }

  private async summary(
    key: SummaryKey,
    region: string | undefined,
    fresh: boolean,
  ): Promise<SummaryState> {
    const id = itemId(summaryItemKey(key));
    const cached = this.summaries.get(id);
    if (!fresh && cached !== undefined) return cached;
    const state = (await this.store.loadSummaries([key])).get(id) ?? emptySummary(key, region);
    this.summaries.set(id, state);
    return state;
  }

  /** Makes sure everything downstream of `home` has absorbed its current version. */
  async catchUpHome(home: HomeState): Promise<void> {
    if (home.version === 0) return;
    const summaryKey = summaryOf(home.key);
    const summary = await this.summary(summaryKey, home.region, false);
    const owed = homeContribution(home);
    if ((summary.absorbed.get(owed.contributor) ?? 0) < home.version) {
      this.stats.rollupRepairs++;
      await this.advanceSummary(summaryKey, home.region, [owed], { deliver: true });
    } else {
      await this.catchUpRollups(summary);
    }
  }

  /**
   * Adds the contributions a summary (store day or team week) has not absorbed yet as its next version, after
   * bringing its rollups up to its current one. With `deliver`, the rollups get the new
   * version at once; otherwise the caller hands the returned advance to `deliverToRollups`.
   */
  async advanceSummary(
    key: SummaryKey,
    region: string | undefined,
    contributions: readonly Contribution[],
    options: { deliver: boolean },
  ): Promise<Omit<Advance, 'homes'> | undefined> {
    const id = itemId(summaryItemKey(key));
    let state = await this.summary(key, region, false);
    let fresh = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let absorbed: ReturnType<typeof absorbContributions>;
      try {
        absorbed = absorbContributions(state, contributions);
      } catch (error) {
        // A gap seen in a cached copy may be our staleness: read the item before believing it.
        if (!(error instanceof ContributionGapError) || fresh) throw error;
        state = await this.summary(key, region, true);
        fresh = true;
        continue;
      }
      if (absorbed.applied.length === 0) {
        await this.catchUpRollups(state);
        return undefined;
      }
      await this.catchUpRollups(state);
      this.stats.summaryWrites++;
      if ((await this.store.putSummary(absorbed.next, state.version)) === 'ok') {
        this.summaries.set(id, absorbed.next);
        if (options.deliver) await this.catchUpRollups(absorbed.next);
        return { before: state, after: absorbed.next };
      }
      this.stats.conflicts++;
      state = await this.summary(key, region, true);
      fresh = true;
    }
    throw new WriteContentionError(id);
  }

  /**
   * Brings every rollup of `node` up to `node.version`. Only a one-version lag is repairable
   * (and the protocol never creates a larger one); an absorbed version at or past the node's
   * is done.
   */
  async catchUpRollups(node: LedgerNode, only?: readonly RollupTarget[]): Promise<void> {
    if (node.version === 0) return;
    const targets = only ?? rollupTargetsOf(node.key, node.region);
    for (const target of targets) {
      const vid = rollupVersionId(target);
      let fresh = !this.rollupVersions.has(vid);
      for (let attempt = 1; ; attempt++) {
        if (fresh) {
          const loaded = await this.store.loadRollupVersions([target]);
          this.rollupVersions.set(vid, loaded.get(vid) ?? 0);
        }
        const absorbed = this.rollupVersions.get(vid) ?? 0;
        if (absorbed >= node.version) break;
        if (absorbed !== node.version - 1) {
          if (!fresh) {
            fresh = true;
            continue;
          }
          throw new RollupGapError(vid, absorbed, node.version);
        }
        this.stats.rollupRepairs++;
        const result = await this.store.addToRollup(target, [
          rollupContribution(target, node, absorbed),
        ]);
        if (result === 'ok') {
          this.rollupVersions.set(vid, node.version);
          break;
        }
        if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(vid);
        fresh = true;
      }
    }
  }

  /**
   * Adds every advance to its rollups with one conditional write per rollup item. Returns the
   * home items whose advances could not be delivered, with why; their records are retried,
   * and the retry's step 1 delivers them.
   */
  async deliverToRollups(advances: readonly Advance[]): Promise<Map<string, unknown>> {
    const byRollup = new Map<
      string,
      { target: RollupTarget; advances: Advance[]; contributions: RollupContribution[] }
    >();
    for (const advance of advances) {
      for (const target of rollupTargetsOf(advance.after.key, advance.after.region)) {
        const rid = itemId(target);
        const group = byRollup.get(rid) ?? { target, advances: [], contributions: [] };
        group.advances.push(advance);
        group.contributions.push(rollupContribution(target, advance.after, advance.before.version));
        byRollup.set(rid, group);
      }
    }
    const failed = new Map<string, unknown>();
    await mapLimit([...byRollup.values()], 16, async (group) => {
      this.stats.rollupWrites++;
      try {
        if ((await this.store.addToRollup(group.target, group.contributions)) === 'ok') {
          for (const c of group.contributions) {
            this.rollupVersions.set(
              rollupVersionId({ ...group.target, contributor: c.contributor }),
              c.toVersion,
            );
          }
          return;
        }
      } catch (error) {
        for (const a of group.advances) for (const home of a.homes) failed.set(home, error);
        return;
      }
      this.stats.conflicts++;
      // Someone else moved one of the contributors (a repair by a racing invocation): settle
      // each contributor on its own, from what the rollup holds now.
      for (const a of group.advances) {
        const target = rollupTargetsOf(a.after.key, a.after.region).find(
          (t) => itemId(t) === itemId(group.target),
        );
        try {
          if (target !== undefined) {
            this.rollupVersions.delete(rollupVersionId(target));
            await this.catchUpRollups(a.after, [target]);
          }
        } catch (error) {
          for (const home of a.homes) failed.set(home, error);
        }
      }
    });
    return failed;
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
