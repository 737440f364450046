import type { TelemetryEvent } from '#contract';
import {
  contributorOf,
  type HomeKey,
  homeItemKey,
  type ItemKey,
  itemId,
  type RollupScope,
  type RollupTarget,
  rollupTargetsOf,
  rollupVersionId,
  type SummaryKey,
  summaryItemKey,
  summaryOf,
  totalsKeyOf,
} from '#domain/aggregate-keys';
import type { Counters } from '#domain/counters';
import { type FoldOptions, foldEvents } from '#domain/fold-events';
import { emptyHome, type HomeState } from '#domain/home-state';
import type { AggregateStore, RollupContribution, RollupHead, RollupVersions } from '#domain/ports';
import { encodeSnapshot } from '#domain/snapshots';
import {
  absorbContributions,
  type Contribution,
  ContributionGapError,
  emptySummary,
  type SummaryState,
} from '#domain/summary-state';
import { mapLimit } from '#utils';
import { HomeExpiredError, RollupGapError, WriteContentionError } from './errors.js';

/** The events of one batch that count in one home item. */
export interface HomeWork extends RollupScope {
  readonly key: HomeKey;
  readonly events: readonly TelemetryEvent[];
}

/** What became of one home item: `ok` once it and everything downstream of it committed. */
export interface HomeCommit {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: unknown;
  readonly counted: number;
  readonly duplicates: number;
}

/**
 * The conditional writes a commit issued, by kind (the processor's AggregateWrites and
 * WriteConflicts metrics). Each step returns its own, and the commit sums them; a step that
 * throws hands over what it had issued on its error (see FailedAfterWrites).
 */
export interface CommitStats {
  readonly homeWrites: number;
  readonly summaryWrites: number;
  readonly rollupWrites: number;
  /** Writes that brought a lagging summary or rollup up to its contributor's version. */
  readonly rollupRepairs: number;
  /** Writes of day rollups' totals copies (one per rollup item written or found ahead). */
  readonly totalsWrites: number;
  /** Conditional writes that found another writer had been first. */
  readonly conflicts: number;
}

/** The whole batch's commit: per home item, in the order given, and the writes it took. */
export interface AggregatesCommit {
  readonly homes: readonly HomeCommit[];
  readonly stats: CommitStats;
}

/** A step that wrote nothing. */
export const NO_WRITES: CommitStats = {
  homeWrites: 0,
  summaryWrites: 0,
  rollupWrites: 0,
  rollupRepairs: 0,
  totalsWrites: 0,
  conflicts: 0,
};

/**
 * A step's error, and the writes the step issued before it: a contended write that gave up
 * after MAX_ATTEMPTS conflicts still counts them. Unwrapped where the failure is recorded.
 */
class FailedAfterWrites extends Error {
  constructor(
    readonly error: unknown,
    readonly stats: CommitStats,
  ) {
    super('commit step failed', { cause: error });
    this.name = 'FailedAfterWrites';
  }
}

/** `error`, thrown by a step that had issued `stats`, with what the error carries added. */
function failedAfter(error: unknown, stats: Partial<CommitStats>): FailedAfterWrites {
  const inner = unwrap(error);
  return new FailedAfterWrites(inner.error, sumStats([stats, inner.stats]));
}

/** A step's failure: the error to report, and the writes the step issued. */
function unwrap(error: unknown): { error: unknown; stats: CommitStats } {
  return error instanceof FailedAfterWrites
    ? { error: error.error, stats: error.stats }
    : { error, stats: NO_WRITES };
}

/** Field-by-field sum of what several steps wrote. */
function sumStats(parts: readonly Partial<CommitStats>[]): CommitStats {
  return parts.reduce<CommitStats>(
    (sum, part) => ({
      homeWrites: sum.homeWrites + (part.homeWrites ?? 0),
      summaryWrites: sum.summaryWrites + (part.summaryWrites ?? 0),
      rollupWrites: sum.rollupWrites + (part.rollupWrites ?? 0),
      rollupRepairs: sum.rollupRepairs + (part.rollupRepairs ?? 0),
      totalsWrites: sum.totalsWrites + (part.totalsWrites ?? 0),
      conflicts: sum.conflicts + (part.conflicts ?? 0),
    }),
    NO_WRITES,
  );
}

const MAX_ATTEMPTS = 8;

/** An item that feeds rollups: a store day, or a team week. */
interface LedgerNode extends RollupScope {
  readonly key: SummaryKey;
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
 * 5. Copy the counters of every day rollup item this batch wrote, or read at a later write
 *    than its totals copy may hold, to that copy (`putRollupTotals`, conditional on the
 *    rollup's write count `rev` being newer than the copy's). The copy is a function of its
 *    rollup, not a delta, so a repeated or late copy changes nothing; a copy missed by a
 *    crash is made by the retry, which reads the same rollup items in its preload.
 *
 * Steps 1 to 3 are `commitHome`, per home; step 4 is `advanceSummaries`, then
 * `LedgerTree.deliverToRollups`; step 5 `LedgerTree.copyTotals`. A crash anywhere leaves
 * state that the retry's steps 1 and 5 complete. Each step returns the writes it issued, and
 * the commit sums them.
 */
export async function commitAggregates(
  work: readonly HomeWork[],
  store: AggregateStore,
  options: FoldOptions,
): Promise<AggregatesCommit> {
  const tree = new LedgerTree(store);
  await tree.preload(work);
  const homes = await mapLimit(work, 16, (w) => commitHome(tree, store, w, options));
  const summaries = await advanceSummaries(tree, homes);
  const rollups = await tree.deliverToRollups(summaries.advances);
  const totals = await tree.copyTotals(homesByRollup(work));
  const failed = new Map([...summaries.failed, ...rollups.failed, ...totals.failed]);
  return {
    homes: homes.map(({ commit }) =>
      failed.has(commit.id) ? { ...commit, ok: false, error: failed.get(commit.id) } : commit,
    ),
    stats: sumStats([...homes.map((h) => h.stats), summaries.stats, rollups.stats, totals.stats]),
  };
}

/** The home items of `work` by the rollup items (`itemId`) their summaries feed. */
function homesByRollup(work: readonly HomeWork[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of work) {
    const home = itemId(homeItemKey(w.key));
    for (const target of rollupTargetsOf(summaryOf(w.key), w)) {
      const id = itemId(target);
      out.set(id, [...(out.get(id) ?? []), home]);
    }
  }
  return out;
}

/** What steps 1 to 3 made of one home item. */
interface HomeOutcome {
  readonly commit: HomeCommit;
  /** The home as written, and the version it moved from, if this batch wrote it. */
  readonly written?: { readonly home: HomeState; readonly fromVersion: number };
  readonly stats: CommitStats;
}

/** Steps 1 to 3 for one home item: catch its summary up, fold its events, put it. */
async function commitHome(
  tree: LedgerTree,
  store: AggregateStore,
  work: HomeWork,
  options: FoldOptions,
): Promise<HomeOutcome> {
  const id = itemId(homeItemKey(work.key));
  let stats = NO_WRITES;
  try {
    let state = tree.home(work);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (state.version === 0) state = await tree.homeUnlessExpired(work, state);
      stats = sumStats([stats, await tree.catchUpHome(state)]);
      const fold = foldEvents(state, work.events, options);
      if (fold.counted === 0) {
        return { commit: { id, ok: true, counted: 0, duplicates: fold.duplicates }, stats };
      }
      stats = sumStats([stats, { homeWrites: 1 }]);
      if ((await store.putHome(fold.next, state.version)) === 'ok') {
        return {
          commit: { id, ok: true, counted: fold.counted, duplicates: fold.duplicates },
          written: { home: fold.next, fromVersion: state.version },
          stats,
        };
      }
      stats = sumStats([stats, { conflicts: 1 }]);
      state =
        (await store.loadHomes([work.key])).get(id) ?? emptyHome(work.key, work.region, work.test);
    }
    throw new WriteContentionError(id);
  } catch (thrown) {
    const { error, stats: issued } = unwrap(thrown);
    return {
      commit: { id, ok: false, error, counted: 0, duplicates: 0 },
      stats: sumStats([stats, issued]),
    };
  }
}

/** The homes this batch wrote, grouped by the summary (store day, team week) they feed. */
interface SummaryWork extends RollupScope {
  readonly key: SummaryKey;
  readonly homes: string[];
  readonly contributions: Contribution[];
}

function bySummary(homes: readonly HomeOutcome[]): SummaryWork[] {
  const groups = new Map<string, SummaryWork>();
  for (const { commit, written } of homes) {
    if (written === undefined) continue;
    const summary = summaryOf(written.home.key);
    const sid = itemId(summaryItemKey(summary));
    const group = groups.get(sid) ?? {
      key: summary,
      region: written.home.region,
      test: written.home.test,
      homes: [],
      contributions: [],
    };
    group.homes.push(commit.id);
    group.contributions.push(homeContribution(written.home, written.fromVersion));
    groups.set(sid, group);
  }
  return [...groups.values()];
}

/**
 * Step 4, first half: advances each summary once with the deltas of all its homes written in
 * this batch. Returns the advances for `deliverToRollups`, in the order they committed, and the
 * homes whose summary could not advance, with why.
 */
async function advanceSummaries(
  tree: LedgerTree,
  homes: readonly HomeOutcome[],
): Promise<{ advances: Advance[]; failed: Map<string, unknown>; stats: CommitStats }> {
  const advances: Advance[] = [];
  const failed = new Map<string, unknown>();
  const stats = await mapLimit(bySummary(homes), 16, async (group) => {
    try {
      const advanced = await tree.advanceSummary(group.key, group, group.contributions, {
        deliver: false,
      });
      if (advanced.advance !== undefined)
        advances.push({ ...advanced.advance, homes: group.homes });
      return advanced.stats;
    } catch (thrown) {
      const { error, stats } = unwrap(thrown);
      for (const home of group.homes) failed.set(home, error);
      return stats;
    }
  });
  return { advances, failed, stats: sumStats(stats) };
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
  /** The newest head seen of each rollup item, by its `itemId`. */
  private readonly heads = new Map<string, { head: RollupHead; key: ItemKey }>();
  /** The rev each totals copy was last read or written at, by the rollup's `itemId`. */
  private readonly copies = new Map<string, number>();

  constructor(private readonly store: AggregateStore) {}

  /** Keeps `head` of rollup item `key` if it is newer than the one held. */
  private noteHead(key: ItemKey, head: RollupHead): void {
    const id = itemId(key);
    if ((this.heads.get(id)?.head.rev ?? -1) >= head.rev) return;
    this.heads.set(id, { head, key: { pk: key.pk, sk: key.sk } });
  }

  /** Notes that `id`'s totals copy holds `rev` (read or written); a copy never goes back. */
  private noteCopy(id: string, rev: number): void {
    this.copies.set(id, Math.max(rev, this.copies.get(id) ?? 0));
  }

  private noteRead(targets: readonly RollupTarget[], read: RollupVersions): void {
    for (const [id, v] of read.versions) this.rollupVersions.set(id, v);
    for (const [id, rev] of read.copies) this.noteCopy(id, rev);
    for (const target of targets) {
      const head = read.heads.get(itemId(target));
      if (head !== undefined) this.noteHead(target, head);
    }
  }

  /**
   * Step 5: gives each day rollup's totals copy the newest head this batch saw of it. Returns
   * the homes (by `homesOf`, the rollup items their summaries feed) whose copies could not be
   * written; their records are retried, and the retry copies.
   */
  async copyTotals(
    homesOf: ReadonlyMap<string, readonly string[]>,
  ): Promise<{ failed: Map<string, unknown>; stats: CommitStats }> {
    const failed = new Map<string, unknown>();
    const pending = [...this.heads].filter(
      ([id, h]) => h.head.rev > (this.copies.get(id) ?? 0) && totalsKeyOf(h.key) !== undefined,
    );
    await mapLimit(pending, 16, async ([id, h]) => {
      try {
        await this.store.putRollupTotals(h.key, h.head);
        this.noteCopy(id, h.head.rev);
      } catch (error) {
        for (const home of homesOf.get(id) ?? []) failed.set(home, error);
      }
    });
    return { failed, stats: sumStats([{ totalsWrites: pending.length }]) };
  }

  /** Reads, in three batched reads, the homes of `work`, their summaries and those rollups. */
  async preload(work: readonly HomeWork[]): Promise<void> {
    const stored = await this.store.loadHomes(work.map((w) => w.key));
    for (const [id, state] of stored) this.homes.set(id, state);
    const summaryKeys = new Map<string, { key: SummaryKey; scope: RollupScope }>();
    for (const w of work) {
      const key = summaryOf(w.key);
      summaryKeys.set(itemId(summaryItemKey(key)), { key, scope: w });
    }
    if (summaryKeys.size > 0) {
      const stored = await this.store.loadSummaries([...summaryKeys.values()].map((s) => s.key));
      for (const [id, { key, scope }] of summaryKeys) {
        this.summaries.set(id, stored.get(id) ?? emptySummary(key, scope.region, scope.test));
      }
    }
    const nodes: LedgerNode[] = [...this.summaries.values()].filter((s) => s.version > 0);
    const targets = nodes.flatMap((n) => rollupTargetsOf(n.key, n));
    if (targets.length > 0) this.noteRead(targets, await this.store.loadRollupVersions(targets));
  }

  home(w: HomeWork): HomeState {
    return this.homes.get(itemId(homeItemKey(w.key))) ?? emptyHome(w.key, w.region, w.test);
  }

  private async summary(
    key: SummaryKey,
    scope: RollupScope,
    fresh: boolean,
  ): Promise<SummaryState> {
    const id = itemId(summaryItemKey(key));
    const cached = this.summaries.get(id);
    if (!fresh && cached !== undefined) return cached;
    const state =
      (await this.store.loadSummaries([key])).get(id) ??
      emptySummary(key, scope.region, scope.test);
    this.summaries.set(id, state);
    return state;
  }

  /**
   * `missing` (the home of `work`, read as absent), unless its summary has absorbed a version
   * of it. Then the home is read again: the home was written before its summary absorbed it,
   * so a read after the summary's sees it, unless the item is gone. A racing invocation may
   * have written both between this batch's two reads, and the home it wrote is returned. Gone,
   * it has expired (home-expiry.ts) and is never recreated: HomeExpiredError.
   */
  async homeUnlessExpired(work: HomeWork, missing: HomeState): Promise<HomeState> {
    const summary = await this.summary(summaryOf(work.key), work, false);
    const absorbed = summary.absorbed.get(contributorOf(work.key)) ?? 0;
    if (absorbed === 0) return missing;
    const id = itemId(homeItemKey(work.key));
    const fresh = (await this.store.loadHomes([work.key])).get(id);
    if (fresh !== undefined) return fresh;
    throw new HomeExpiredError(id, absorbed);
  }

  /** Makes sure everything downstream of `home` has absorbed its current version. */
  async catchUpHome(home: HomeState): Promise<CommitStats> {
    if (home.version === 0) return NO_WRITES;
    const summaryKey = summaryOf(home.key);
    const summary = await this.summary(summaryKey, home, false);
    const owed = homeContribution(home);
    if ((summary.absorbed.get(owed.contributor) ?? 0) < home.version) {
      try {
        const repaired = await this.advanceSummary(summaryKey, home, [owed], {
          deliver: true,
        });
        return sumStats([{ rollupRepairs: 1 }, repaired.stats]);
      } catch (error) {
        throw failedAfter(error, { rollupRepairs: 1 });
      }
    }
    return await this.catchUpRollups(summary);
  }

  /**
   * Adds the contributions a summary (store day or team week) has not absorbed yet as its next version, after
   * bringing its rollups up to its current one. With `deliver`, the rollups get the new
   * version at once; otherwise the caller hands the returned advance to `deliverToRollups`.
   */
  async advanceSummary(
    key: SummaryKey,
    scope: RollupScope,
    contributions: readonly Contribution[],
    options: { deliver: boolean },
  ): Promise<{ advance?: Omit<Advance, 'homes'>; stats: CommitStats }> {
    const id = itemId(summaryItemKey(key));
    let stats = NO_WRITES;
    try {
      let state = await this.summary(key, scope, false);
      let fresh = false;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        let absorbed: ReturnType<typeof absorbContributions>;
        try {
          absorbed = absorbContributions(state, contributions);
        } catch (error) {
          // A gap seen in a cached copy may be our staleness: read the item before believing it.
          if (!(error instanceof ContributionGapError) || fresh) throw error;
          state = await this.summary(key, scope, true);
          fresh = true;
          continue;
        }
        stats = sumStats([stats, await this.catchUpRollups(state)]);
        if (absorbed.applied.length === 0) return { stats };
        stats = sumStats([stats, { summaryWrites: 1 }]);
        if ((await this.store.putSummary(absorbed.next, state.version)) === 'ok') {
          this.summaries.set(id, absorbed.next);
          if (options.deliver) stats = sumStats([stats, await this.catchUpRollups(absorbed.next)]);
          return { advance: { before: state, after: absorbed.next }, stats };
        }
        stats = sumStats([stats, { conflicts: 1 }]);
        state = await this.summary(key, scope, true);
        fresh = true;
      }
      throw new WriteContentionError(id);
    } catch (error) {
      throw failedAfter(error, stats);
    }
  }

  /**
   * Brings every rollup of `node` up to `node.version`. Only a one-version lag is repairable
   * (and the protocol never creates a larger one); an absorbed version at or past the node's
   * is done.
   */
  async catchUpRollups(node: LedgerNode, only?: readonly RollupTarget[]): Promise<CommitStats> {
    if (node.version === 0) return NO_WRITES;
    const targets = only ?? rollupTargetsOf(node.key, node);
    let rollupRepairs = 0;
    try {
      for (const target of targets) {
        const vid = rollupVersionId(target);
        let fresh = !this.rollupVersions.has(vid);
        for (let attempt = 1; ; attempt++) {
          if (fresh) {
            this.noteRead([target], await this.store.loadRollupVersions([target]));
            if (!this.rollupVersions.has(vid)) this.rollupVersions.set(vid, 0);
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
          rollupRepairs++;
          const result = await this.store.addToRollup(target, [
            rollupContribution(target, node, absorbed),
          ]);
          if (result !== 'conflict') {
            this.rollupVersions.set(vid, node.version);
            this.noteHead(target, result);
            break;
          }
          if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(vid);
          fresh = true;
        }
      }
    } catch (error) {
      throw failedAfter(error, { rollupRepairs });
    }
    return sumStats([{ rollupRepairs }]);
  }

  /**
   * Adds every advance to its rollups with one conditional write per rollup item. Returns the
   * home items whose advances could not be delivered, with why; their records are retried,
   * and the retry's step 1 delivers them.
   */
  async deliverToRollups(
    advances: readonly Advance[],
  ): Promise<{ failed: Map<string, unknown>; stats: CommitStats }> {
    const failed = new Map<string, unknown>();
    const stats = await mapLimit(byRollup(advances), 16, (group) =>
      this.deliverToRollup(group, failed),
    );
    return { failed, stats: sumStats(stats) };
  }

  /** One rollup item's write of all its advances; records in `failed` the homes it could not. */
  private async deliverToRollup(
    group: RollupWork,
    failed: Map<string, unknown>,
  ): Promise<CommitStats> {
    const written = sumStats([{ rollupWrites: 1 }]);
    try {
      const result = await this.store.addToRollup(group.target, group.contributions);
      if (result !== 'conflict') {
        this.noteHead(group.target, result);
        for (const c of group.contributions) {
          this.rollupVersions.set(
            rollupVersionId({ ...group.target, contributor: c.contributor }),
            c.toVersion,
          );
        }
        return written;
      }
    } catch (error) {
      for (const a of group.advances) for (const home of a.homes) failed.set(home, error);
      return written;
    }
    let settled = sumStats([written, { conflicts: 1 }]);
    // Someone else moved one of the contributors (a repair by a racing invocation): settle
    // each contributor on its own, from what the rollup holds now.
    for (const a of group.advances) {
      const target = rollupTargetsOf(a.after.key, a.after).find(
        (t) => itemId(t) === itemId(group.target),
      );
      try {
        if (target !== undefined) {
          this.rollupVersions.delete(rollupVersionId(target));
          settled = sumStats([settled, await this.catchUpRollups(a.after, [target])]);
        }
      } catch (thrown) {
        const { error, stats } = unwrap(thrown);
        for (const home of a.homes) failed.set(home, error);
        settled = sumStats([settled, stats]);
      }
    }
    return settled;
  }
}

/** The advances of one batch, grouped by the rollup item they are delivered to. */
interface RollupWork {
  readonly target: RollupTarget;
  readonly advances: Advance[];
  readonly contributions: RollupContribution[];
}

function byRollup(advances: readonly Advance[]): RollupWork[] {
  const groups = new Map<string, RollupWork>();
  for (const advance of advances) {
    for (const target of rollupTargetsOf(advance.after.key, advance.after)) {
      const rid = itemId(target);
      const group = groups.get(rid) ?? { target, advances: [], contributions: [] };
      group.advances.push(advance);
      group.contributions.push(rollupContribution(target, advance.after, advance.before.version));
      groups.set(rid, group);
    }
  }
  return [...groups.values()];
}
