import type { HomeKey, ItemKey, RollupTarget, SummaryKey } from '../domain/aggregate-keys.js';
import type { RecordPosition } from '../domain/decode-record.js';
import type { HomeState } from '../domain/home-state.js';
import type { DeviceInfo, StoreInfo } from '../domain/registry-types.js';
import type { PoisonReason } from '../domain/route-event.js';
import type { Contribution, SummaryState } from '../domain/summary-state.js';

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

/** A record (or sub-record) that can never be counted, with why. Never holds the payload. */
export interface DeadLetter {
  readonly position: RecordPosition;
  readonly reason: PoisonReason;
  readonly detail: string;
  readonly arrivedAt: string;
  readonly sizeBytes: number;
  readonly deviceId?: string;
  readonly eventId?: string;
}

export interface DeadLetterSink {
  put(letters: readonly DeadLetter[]): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const rollupVersionId = (target: RollupTarget) =>
  `${target.pk}|${target.sk}|${target.contributor}`;
