import { entryBytes, KINESIS_LIMITS } from '../producer/kinesis-limits.js';
import { aggregatedSizeOf, encodeAggregate, KPL_MAGIC, type UserRecord } from './kpl-format.js';
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
  /** Largest aggregated record, in bytes (the KPL's default). @default 51200 */
  readonly maxAggregateBytes?: number;
}

const AGGREGATE_OVERHEAD = KPL_MAGIC.byteLength + 16;

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
  if (options.aggregate === false) return items.map(plain);
  const limit = Math.min(
    options.maxAggregateBytes ?? 51_200,
    KINESIS_LIMITS.bytesPerRecord - KINESIS_LIMITS.partitionKeyMaxChars,
  );
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const pk = toUserRecord(item).partitionKey;
    const group = shardMap?.shardFor(pk) ?? `pk:${pk}`;
    const members = groups.get(group) ?? [];
    members.push(item);
    groups.set(group, members);
  }
  const out: BuiltRecord<T>[] = [];
  for (const members of groups.values()) {
    let batch: T[] = [];
    let keys = new Set<string>();
    let size = AGGREGATE_OVERHEAD;
    const close = () => {
      if (batch.length === 1) out.push(plain(batch[0] as T));
      else if (batch.length > 1) {
        const records = batch.map(toUserRecord);
        out.push({
          partitionKey: (records[0] as UserRecord).partitionKey,
          data: encodeAggregate(records),
          items: batch,
          aggregated: true,
        });
      }
      batch = [];
      keys = new Set();
      size = AGGREGATE_OVERHEAD;
    };
    for (const item of members) {
      const record = toUserRecord(item);
      const added = aggregatedSizeOf(record, !keys.has(record.partitionKey));
      if (batch.length > 0 && size + added > limit) close();
      batch.push(item);
      keys.add(record.partitionKey);
      size += added;
    }
    close();
  }
  return out;
}

/** On-demand Kinesis bills each record's payload rounded up to the next KB. */
export const billedKb = (record: { data: Uint8Array; partitionKey: string }) =>
  Math.ceil(entryBytes(record) / 1024);
