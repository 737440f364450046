import {
  contributorOf,
  type HomeKey,
  homeItemKey,
  type ItemKey,
  itemId,
  type RollupTarget,
  rollupTargetsOf,
  rollupVersionId,
  type SummaryKey,
  summaryItemKey,
  summaryOf,
  totalsKeyOf,
} from '../../functions/domain/aggregate-keys.js';
import type { Counters } from '../../functions/domain/counters.js';
import type { HomeState } from '../../functions/domain/home-state.js';
import type {
  AggregateStore,
  DeadLetter,
  DeadLetterSink,
  RegistryReader,
  RollupContribution,
  RollupHead,
  RollupVersions,
  WriteResult,
} from '../../functions/domain/ports.js';
import { SeqIntervals } from '../../functions/domain/seq-intervals.js';
import type { SummaryState } from '../../functions/domain/summary-state.js';
import { REGISTRY } from './factories.js';

/** Thrown by the fault-injecting store to stand for a Lambda crash between two writes. */
export class InjectedCrash extends Error {
  constructor() {
    super('injected crash');
    this.name = 'InjectedCrash';
  }
}

/**
 * The AggregateStore port with DynamoDB's conditional-write semantics, in memory, so the
 * commit protocol can be tested without AWS. `crashAfterWrites` makes every write after the
 * n-th throw (as if the function died there) until `heal()`.
 */
export class InMemoryAggregates implements AggregateStore {
  readonly homes = new Map<string, HomeState>();
  readonly summaries = new Map<string, SummaryState>();
  readonly rollups = new Map<
    string,
    {
      counters: Counters;
      versions: Map<string, number>;
      snapshots: Map<string, string>;
      rev: number;
    }
  >();
  /** Day rollups' totals copies, by the totals item's id. */
  readonly totals = new Map<string, RollupHead>();
  writes = 0;
  private crashAfter = Number.POSITIVE_INFINITY;

  crashAfterWrites(n: number) {
    this.crashAfter = this.writes + n;
  }

  heal() {
    this.crashAfter = Number.POSITIVE_INFINITY;
  }

  private write() {
    if (this.writes >= this.crashAfter) throw new InjectedCrash();
    this.writes++;
  }

  async loadHomes(keys: readonly HomeKey[]) {
    const out = new Map<string, HomeState>();
    for (const k of keys) {
      const id = itemId(homeItemKey(k));
      const h = this.homes.get(id);
      if (h !== undefined) out.set(id, clone(h));
    }
    return out;
  }

  async putHome(next: HomeState, expectedVersion: number): Promise<WriteResult> {
    this.write();
    const id = itemId(homeItemKey(next.key));
    if ((this.homes.get(id)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.homes.set(id, clone(next));
    return 'ok';
  }

  async loadSummaries(keys: readonly SummaryKey[]) {
    const out = new Map<string, SummaryState>();
    for (const k of keys) {
      const id = itemId(summaryItemKey(k));
      const s = this.summaries.get(id);
      if (s !== undefined) out.set(id, cloneSummary(s));
    }
    return out;
  }

  async putSummary(next: SummaryState, expectedVersion: number): Promise<WriteResult> {
    this.write();
    const id = itemId(summaryItemKey(next.key));
    if ((this.summaries.get(id)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.summaries.set(id, cloneSummary(next));
    return 'ok';
  }

  async loadRollupVersions(targets: readonly RollupTarget[]): Promise<RollupVersions> {
    const heads = new Map<string, RollupHead>();
    for (const t of targets) {
      const item = this.rollups.get(itemId(t));
      if (item !== undefined)
        heads.set(itemId(t), { rev: item.rev, counters: { ...item.counters } });
    }
    const copies = new Map<string, number>();
    for (const t of targets) {
      const key = totalsKeyOf(t);
      const copy = key === undefined ? undefined : this.totals.get(itemId(key));
      if (copy !== undefined) copies.set(itemId(t), copy.rev);
    }
    return {
      copies,
      versions: new Map(
        targets.map((t) => [
          rollupVersionId(t),
          this.rollups.get(itemId(t))?.versions.get(t.contributor) ?? 0,
        ]),
      ),
      heads,
    };
  }

  async addToRollup(
    target: ItemKey,
    contributions: readonly RollupContribution[],
  ): Promise<RollupHead | 'conflict'> {
    this.write();
    const item = this.rollups.get(itemId(target)) ?? {
      counters: {} as Counters,
      versions: new Map<string, number>(),
      snapshots: new Map<string, string>(),
      rev: 0,
    };
    if (contributions.some((c) => (item.versions.get(c.contributor) ?? 0) !== c.fromVersion))
      return 'conflict';
    for (const c of contributions) {
      item.versions.set(c.contributor, c.toVersion);
      item.snapshots.set(c.contributor, c.snapshot);
      for (const [k, v] of Object.entries(c.delta)) item.counters[k] = (item.counters[k] ?? 0) + v;
    }
    item.rev++;
    this.rollups.set(itemId(target), item);
    return { rev: item.rev, counters: { ...item.counters } };
  }

  async putRollupTotals(rollup: ItemKey, head: RollupHead): Promise<WriteResult> {
    this.write();
    const key = totalsKeyOf(rollup);
    if (key === undefined) throw new RangeError(`${itemId(rollup)} has no totals item`);
    if ((this.totals.get(itemId(key))?.rev ?? -1) >= head.rev) return 'conflict';
    this.totals.set(itemId(key), { rev: head.rev, counters: { ...head.counters } });
    return 'ok';
  }

  /** Sum of one counter over rollup items whose pk starts with `prefix`. */
  rollupTotal(prefix: string, counter: string): number {
    let total = 0;
    for (const [id, item] of this.rollups)
      if (id.startsWith(prefix)) total += item.counters[counter] ?? 0;
    return total;
  }

  /** Sum of one counter over home items whose pk starts with `prefix`. */
  homeTotal(prefix: string, counter: string): number {
    let total = 0;
    for (const [id, h] of this.homes) if (id.startsWith(prefix)) total += h.counters[counter] ?? 0;
    return total;
  }

  /** Sum of one counter over all store days. */
  summaryTotal(counter: string): number {
    let total = 0;
    for (const s of this.summaries.values()) total += s.counters[counter] ?? 0;
    return total;
  }

  /**
   * The figures without the summaries' and rollups' version numbers: a crash can split what
   * one clean run absorbs in one write into two, so those may end higher, never different.
   */
  figures(): unknown {
    return {
      homes: [...this.homes].sort().map(([id, h]) => [id, h.version, h.counters]),
      summaries: [...this.summaries]
        .sort()
        .map(([id, s]) => [id, s.counters, [...s.absorbed].sort()]),
      rollups: [...this.rollups].sort().map(([id, r]) => [id, r.counters, [...r.snapshots].sort()]),
      totals: [...this.totals].sort().map(([id, t]) => [id, t.counters]),
    };
  }

  /**
   * Where a summary has not absorbed its homes' versions, a rollup its summaries', or a day
   * rollup's totals copy is not at its rollup's write.
   */
  lagging(): string[] {
    const out: string[] = [];
    for (const [id, h] of this.homes) {
      const summary = this.summaries.get(itemId(summaryItemKey(summaryOf(h.key))));
      if (summary?.absorbed.get(contributorOf(h.key)) !== h.version) out.push(id);
    }
    for (const [id, s] of this.summaries) {
      for (const t of rollupTargetsOf(s.key, s)) {
        if (this.rollups.get(itemId(t))?.versions.get(t.contributor) !== s.version)
          out.push(`${id} -> ${itemId(t)}`);
      }
    }
    for (const [id, r] of this.rollups) {
      const key = totalsKeyOf(splitItemId(id));
      if (key !== undefined && this.totals.get(itemId(key))?.rev !== r.rev)
        out.push(`${id} -> ${itemId(key)}`);
    }
    return out;
  }

  /** Everything, as comparable plain data. */
  snapshot(): unknown {
    return {
      homes: [...this.homes].sort().map(([id, h]) => [id, h.version, h.counters]),
      summaries: [...this.summaries]
        .sort()
        .map(([id, s]) => [id, s.version, s.counters, [...s.absorbed].sort()]),
      rollups: [...this.rollups]
        .sort()
        .map(([id, r]) => [id, r.rev, r.counters, [...r.versions].sort()]),
      totals: [...this.totals].sort().map(([id, t]) => [id, t.rev, t.counters]),
    };
  }
}

function splitItemId(id: string): ItemKey {
  const bar = id.indexOf('|');
  return { pk: id.slice(0, bar), sk: id.slice(bar + 1) };
}

function clone(h: HomeState): HomeState {
  return {
    ...h,
    counters: { ...h.counters },
    lastDelta: { ...h.lastDelta },
    joins: new Map(h.joins),
    seen: new Map([...h.seen].map(([d, s]) => [d, SeqIntervals.parse(s.toString())])),
  };
}

function cloneSummary(s: SummaryState): SummaryState {
  return {
    ...s,
    counters: { ...s.counters },
    lastDelta: { ...s.lastDelta },
    absorbed: new Map(s.absorbed),
  };
}

export class InMemoryDeadLetters implements DeadLetterSink {
  readonly letters = new Map<string, DeadLetter>();
  async put(letters: readonly DeadLetter[]) {
    for (const l of letters) {
      this.letters.set(
        `${l.position.shardId}/${l.position.sequenceNumber}/${l.position.subSequenceNumber}`,
        l,
      );
    }
  }
}

export const staticRegistry: RegistryReader = {
  load: async () => REGISTRY,
};

export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
