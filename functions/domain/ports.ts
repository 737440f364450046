import type { HomeKey, ItemKey, RollupTarget, SummaryKey } from './aggregate-keys.js';
import type { Counters } from './counters.js';
import type { RecordPosition } from './decode-record.js';
import type { HomeState } from './home-state.js';
import type { DeviceInfo, StoreInfo } from './registry-types.js';
import type { PoisonReason } from './route-event.js';
import type { Contribution, SummaryState } from './summary-state.js';

/** What a conditional write found: `conflict` means another writer got there first. */
export type WriteResult = 'ok' | 'conflict';

/** One home's share of a rollup write: its version moves from `fromVersion` to `toVersion`. */
export interface RollupContribution extends Contribution {
  /** The contributor's figures at `toVersion` (see snapshots.ts). */
  readonly snapshot: string;
}

/**
 * A rollup item's counters as of one of its writes: `rev` counts the item's writes, so of two
 * heads of one item the higher `rev` is the newer. What the item's totals copy is given.
 */
export interface RollupHead {
  readonly rev: number;
  readonly counters: Counters;
}

/** What a read of rollup items found: each contributor's version, and each item's head. */
export interface RollupVersions {
  /** By `rollupVersionId`; 0 for a contributor (or an item) never written. */
  readonly versions: Map<string, number>;
  /** By `itemId` of the rollup item; absent for an item that does not exist. */
  readonly heads: Map<string, RollupHead>;
  /** The `rev` each day rollup's totals copy is at, by `itemId` of the rollup; absent if none. */
  readonly copies: Map<string, number>;
}

/** Storage of the aggregates, as the processor needs it. Implemented over DynamoDB. */
export interface AggregateStore {
  /** Strongly consistent reads; keys with no item are absent from the result (by `itemId`). */
  loadHomes(keys: readonly HomeKey[]): Promise<Map<string, HomeState>>;
  /** Writes `next` only if the stored version is still `expectedVersion` (0 = no item). */
  putHome(next: HomeState, expectedVersion: number): Promise<WriteResult>;
  /** Strongly consistent reads of store days; absent keys are absent from the result. */
  loadSummaries(keys: readonly SummaryKey[]): Promise<Map<string, SummaryState>>;
  /** Writes `next` only if the stored version is still `expectedVersion` (0 = no item). */
  putSummary(next: SummaryState, expectedVersion: number): Promise<WriteResult>;
  /**
   * Strongly consistent: versions each contributor has reached, each item's head, and where
   * each day rollup's totals copy is.
   */
  loadRollupVersions(targets: readonly RollupTarget[]): Promise<RollupVersions>;
  /**
   * Adds all deltas in one write, only if every contributor is still at its `fromVersion`;
   * returns the item's head after the write.
   */
  addToRollup(
    target: ItemKey,
    contributions: readonly RollupContribution[],
  ): Promise<RollupHead | 'conflict'>;
  /**
   * Sets the totals copy of a day rollup item (`totalsKeyOf`) to `head`, unless it already
   * holds that `rev` or a later one (`conflict`).
   */
  putRollupTotals(rollup: ItemKey, head: RollupHead): Promise<WriteResult>;
}

export interface RegistryReader {
  load(
    deviceIds: readonly string[],
    storeIds: readonly string[],
  ): Promise<{
    devices: Map<string, DeviceInfo>;
    stores: Map<string, StoreInfo>;
  }>;
}

/**
 * User records that can never be counted, with why: one letter per record and reason, so
 * that the number of letters a record causes is bounded by the reasons, not by what it holds.
 * `position` is the first of them; the detail, device and event id are the first's. Never
 * holds the payload.
 */
export interface DeadLetter {
  readonly position: RecordPosition;
  readonly reason: PoisonReason;
  readonly detail: string;
  readonly arrivedAt: string;
  readonly sizeBytes: number;
  /** How many user records the letter stands for (1 for a plain record). */
  readonly count: number;
  /**
   * Sub-sequence numbers of all of them, ascending, when the letter stands for more than one
   * decoded user record (at most MAX_USER_RECORDS, so a letter always fits one item).
   */
  readonly subSequenceNumbers?: readonly number[];
  readonly deviceId?: string;
  readonly eventId?: string;
  /** Event ids of all of them, in sub-sequence order, when they were events and more than one. */
  readonly eventIds?: readonly string[];
}

export interface DeadLetterSink {
  put(letters: readonly DeadLetter[]): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What the processor last did on one shard: written after every batch (one small item per
 * shard, the last batch's), so that operators see iterator age, errors and throughput per
 * shard without CloudWatch, the same on the embedded stack as in AWS.
 */
export interface ShardStatus {
  readonly shardId: string;
  /** When the batch finished (ISO-8601 UTC). */
  readonly batchAt: string;
  /** Arrival of the batch's newest record: the shard is read up to here. */
  readonly newestArrivedAt: string;
  /** `batchAt` minus `newestArrivedAt`: Lambda's IteratorAge, for this shard. */
  readonly iteratorAgeMs: number;
  readonly records: number;
  readonly events: number;
  readonly counted: number;
  readonly deadLettered: number;
  /** Records the batch left to a retry (failures and deferred ones). */
  readonly failedRecords: number;
  /** The batch's first error, if it logged one: a fixed message and the error's name. */
  readonly error?: { readonly message: string; readonly name?: string };
}

export interface ShardStatusSink {
  record(status: ShardStatus): Promise<void>;
}

/** Fleet health items (fleet-health.ts), one per store, under its region. */
export interface FleetHealthStore {
  /** Strongly consistent; stores with no item are absent (by storeId). */
  load(
    stores: readonly { readonly storeId: string; readonly region: string }[],
  ): Promise<Map<string, import('./fleet-health.js').StoreHealth>>;
  /** Writes `next` only if the stored version is still `next.version` (0 = no item). */
  put(next: import('./fleet-health.js').StoreHealth): Promise<WriteResult>;
}
