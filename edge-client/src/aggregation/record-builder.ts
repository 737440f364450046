import { entryBytes } from '../producer/kinesis-limits.js';
import {
  AGGREGATE_OVERHEAD_BYTES,
  aggregatedSizeOf,
  deflateWithDictionary,
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
   * Compress each aggregated record: `true` or `'dictionary'` with DEFLATE primed by the
   * contract's preset dictionary (wire/dictionary-deflate.ts), `'gzip'` as the edge client did
   * before, `false` not at all. Events are small JSON with repeated keys, so compression cuts
   * the bytes Kinesis bills several times over, and the dictionary about a third more than
   * gzip at a store gateway's records of ~9 events. The processor reads all three; plain
   * consumers of KPL records would need to inflate first. @default true
   */
  readonly compress?: boolean | RecordCompression;
}

/** How an aggregated record's body is compressed (see RecordBuilderOptions.compress). */
export type RecordCompression = 'dictionary' | 'gzip';

/** RecordBuilderOptions with every default filled in, `compress` as the format or `false`. */
export interface ResolvedRecordBuilderOptions {
  readonly aggregate: boolean;
  readonly maxAggregateBytes: number;
  readonly compress: RecordCompression | false;
}

/** Fills in RecordBuilderOptions' defaults (the `@default`s above). */
export function resolveRecordBuilderOptions(
  options: RecordBuilderOptions,
): ResolvedRecordBuilderOptions {
  const compress = options.compress ?? true;
  return {
    aggregate: options.aggregate ?? true,
    maxAggregateBytes: options.maxAggregateBytes ?? 51_200,
    compress: compress === true ? 'dictionary' : compress,
  };
}

const COMPRESS: Record<RecordCompression, (aggregate: Buffer) => Buffer> = {
  dictionary: (aggregate) => deflateWithDictionary(aggregate),
  gzip: gzipRecord,
};

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
          data: compress === false ? packed : COMPRESS[compress](packed),
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

/**
 * The size-aware flush rule, for a sender that may linger `lingerLeftMs` more before it must
 * put what it holds: whether the records built now from `items` are best put now. On-demand
 * Kinesis bills each record rounded up to 1 KB, so the billed KB per event of a record of n
 * events that fills k KB is k / n, and it jumps to (k + 1) / n with the event that crosses
 * the boundary. The rule looks at the record carrying the most events (at a store gateway,
 * the store's aggregate): while the next event still fits within its billed KB (the room left
 * is at least what an event adds, compressed, as measured over the record's later half), lingering only lowers the cost per
 * event, so it lingers. Once the next event would cross the boundary, crossing pays only if
 * more than n / k further events arrive before the linger runs out ((k + 1) / (n + j) < k / n
 * exactly when j > n / k); the events expected, at the rate this record's events arrived, must
 * be at least twice that (the rate is a noisy estimate from a few events), or the record is
 * cut now, at the boundary. A plain
 * record (a group of one) always lingers: aggregating is what lowers its cost.
 */
export function billingCutDue<T extends { readonly appendedAt: number }>(
  items: readonly T[],
  toUserRecord: (item: T) => UserRecord,
  shardMap: ShardMap | undefined,
  lingerLeftMs: number,
  options: RecordBuilderOptions & {
    /** Bytes each record gains after it is built (a signed envelope, signed-envelope.ts). */
    readonly envelopeBytes?: number;
  } = {},
): boolean {
  const records = buildRecords(items, toUserRecord, shardMap, options);
  const main = records.reduce<BuiltRecord<T> | undefined>(
    (best, r) => (best === undefined || r.items.length > best.items.length ? r : best),
    undefined,
  );
  if (main === undefined || !main.aggregated) return false;
  const n = main.items.length;
  const raw = entryBytes(main);
  const bytes = raw + (options.envelopeBytes ?? 0);
  const k = Math.ceil(bytes / 1024);
  // What one more event adds, compressed: the mean over the record's second half (one event's
  // own addition is too noisy to go by, and the first events cost more than the later ones).
  const half = Math.ceil(n / 2);
  const [firstHalf] = buildRecords(main.items.slice(0, half), toUserRecord, undefined, options);
  const marginal =
    firstHalf === undefined || n === half ? raw : (raw - entryBytes(firstHalf)) / (n - half);
  if (k * 1024 - bytes >= marginal) return false;
  const first = (main.items[0] as T).appendedAt;
  const span = (main.items[n - 1] as T).appendedAt - first;
  const expected = span > 0 ? ((n - 1) / span) * Math.max(0, lingerLeftMs) : 0;
  // The rate is estimated from a few events that arrive at random, so it runs high about as
  // often as low, and a wrong crossing costs more than a right one saves: cross only when
  // twice the events needed are expected.
  return expected < (2 * n) / k;
}
