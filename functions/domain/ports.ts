import type { HomeKey, ItemKey, RollupTarget, SummaryKey } from './aggregate-keys.js';
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
  /** Versions each contributor has reached in each rollup item (0 if never), by `rollupVersionId`. */
  loadRollupVersions(targets: readonly RollupTarget[]): Promise<Map<string, number>>;
  /** Adds all deltas in one write, only if every contributor is still at its `fromVersion`. */
  addToRollup(target: ItemKey, contributions: readonly RollupContribution[]): Promise<WriteResult>;
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
