import { entryBytes } from '../producer/kinesis-limits.js';
import {
  AGGREGATE_OVERHEAD_BYTES,
  aggregatedSizeOf,
  encodeAggregate,
  gzipRecord,
  MAX_AGGREGATE_BYTES,
  type UserRecord,
} from '../wire/index.js';
import type { ShardMap } from './shard-map.js';

/** A Kinesis record ready to put, and the user records (by index) it carries. */
export interface BuiltRecord<T> {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly items: readonly T[];
  readonly aggregated: boolean;
}

export interface RecordBuilderOptions {
  /** Pack several user records into one Kinesis record (KPL format). @default true */
  readonly aggregate?: boolean;
  /** Largest aggregated record before compression, in bytes (the KPL's default). @default 51200 */
  readonly maxAggregateBytes?: number;
  /**
   * Gzip each aggregated record. Events are small JSON with repeated keys, so this cuts the
   * bytes Kinesis bills several times over; the processor inflates before deaggregating.
   * Plain consumers of KPL records would need to gunzip first. @default true
   */
  readonly compress?: boolean;
}

/** Fills in RecordBuilderOptions' defaults (the `@default`s above). */
export function resolveRecordBuilderOptions(
  options: RecordBuilderOptions,
): Readonly<Required<RecordBuilderOptions>> {
  return {
    aggregate: options.aggregate ?? true,
    maxAggregateBytes: options.maxAggregateBytes ?? 51_200,
    compress: options.compress ?? true,
  };
}

/**
 * Turns user records into Kinesis records. With aggregation, user records are grouped by the
 * shard their partition key maps to (or, without a shard map, by partition key), so that an
 * aggregated record never carries a key bound for another shard; each group is packed into
 * aggregates of at most `maxAggregateBytes`. A group of one stays a plain record.
 */
export function buildRecords<T>(
  items: readonly T[],
  toUserRecord: (item: T) => UserRecord,
  shardMap: ShardMap | undefined,
  options: RecordBuilderOptions = {},
): BuiltRecord<T>[] {
  const plain = (item: T): BuiltRecord<T> => {
    const r = toUserRecord(item);
    return { partitionKey: r.partitionKey, data: r.data, items: [item], aggregated: false };
  };
  const { aggregate, maxAggregateBytes, compress } = resolveRecordBuilderOptions(options);
  if (!aggregate) return items.map(plain);
  const limit = Math.min(maxAggregateBytes, MAX_AGGREGATE_BYTES);
  // Each item's user record is computed once; groups keep item order.
  const groups = new Map<string, { item: T; user: UserRecord }[]>();
  for (const item of items) {
    const user = toUserRecord(item);
    const group = shardMap?.shardFor(user.partitionKey) ?? `pk:${user.partitionKey}`;
    const members = groups.get(group) ?? [];
    members.push({ item, user });
    groups.set(group, members);
  }
  const out: BuiltRecord<T>[] = [];
  for (const members of groups.values()) {
    let batch: { item: T; user: UserRecord }[] = [];
    let keys = new Set<string>();
    let size = AGGREGATE_OVERHEAD_BYTES;
    const close = () => {
      const [first] = batch;
      if (batch.length === 1 && first !== undefined) {
        out.push({
          partitionKey: first.user.partitionKey,
          data: first.user.data,
          items: [first.item],
          aggregated: false,
        });
      } else if (batch.length > 1 && first !== undefined) {
        const packed = encodeAggregate(batch.map((b) => b.user));
        out.push({
          partitionKey: first.user.partitionKey,
          data: compress ? gzipRecord(packed) : packed,
          items: batch.map((b) => b.item),
          aggregated: true,
        });
      }
      batch = [];
      keys = new Set();
      size = AGGREGATE_OVERHEAD_BYTES;
    };
    for (const member of members) {
      const added = aggregatedSizeOf(member.user, !keys.has(member.user.partitionKey));
      if (batch.length > 0 && size + added > limit) close();
      batch.push(member);
      keys.add(member.user.partitionKey);
      size += added;
    }
    close();
  }
  return out;
}

/** On-demand Kinesis bills each record's payload rounded up to the next KB. */
export const billedKb = (record: { data: Uint8Array; partitionKey: string }) =>
  Math.ceil(entryBytes(record) / 1024);
