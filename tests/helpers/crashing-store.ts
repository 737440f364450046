import type {
  HomeKey,
  ItemKey,
  RollupTarget,
  SummaryKey,
} from '../../functions/domain/aggregate-keys.js';
import type { HomeState } from '../../functions/domain/home-state.js';
import type {
  AggregateStore,
  RollupContribution,
  RollupHead,
} from '../../functions/domain/ports.js';
import type { SummaryState } from '../../functions/domain/summary-state.js';
import { InjectedCrash } from './in-memory-aggregates.js';

/** Wraps a real AggregateStore; after `crashAfterWrites(n)`, the (n+1)-th write throws. */
export class CrashingStore implements AggregateStore {
  writes = 0;
  private limit = Number.POSITIVE_INFINITY;

  constructor(private readonly inner: AggregateStore) {}

  crashAfterWrites(n: number) {
    this.limit = this.writes + n;
  }

  heal() {
    this.limit = Number.POSITIVE_INFINITY;
  }

  private write() {
    if (this.writes >= this.limit) throw new InjectedCrash();
    this.writes++;
  }

  loadHomes(keys: readonly HomeKey[]) {
    return this.inner.loadHomes(keys);
  }

  loadSummaries(keys: readonly SummaryKey[]) {
    return this.inner.loadSummaries(keys);
  }

  async putSummary(next: SummaryState, expectedVersion: number) {
    this.write();
    return this.inner.putSummary(next, expectedVersion);
  }

  loadRollupVersions(targets: readonly RollupTarget[]) {
    return this.inner.loadRollupVersions(targets);
  }

  async putHome(next: HomeState, expectedVersion: number) {
    this.write();
    return this.inner.putHome(next, expectedVersion);
  }

  async addToRollup(target: ItemKey, contributions: readonly RollupContribution[]) {
    this.write();
    return this.inner.addToRollup(target, contributions);
  }

  async putRollupTotals(rollup: ItemKey, head: RollupHead) {
    this.write();
    return this.inner.putRollupTotals(rollup, head);
  }
}
