import { createHash } from 'node:crypto';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { listShards } from '../utils/list-shards.js';

/** Kinesis maps a partition key to the 128-bit integer MD5(key); each shard owns a range. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** Which open shard each partition key goes to, from one ListShards snapshot. */
export class ShardMap {
  private readonly cache = new Map<string, string | undefined>();

  private constructor(
    private readonly ranges: readonly { id: string; start: bigint; end: bigint }[],
  ) {}

  static fromShards(shards: readonly Shard[]): ShardMap {
    const open = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
    return new ShardMap(
      open
        .map((s) => ({
          id: s.ShardId as string,
          start: BigInt(s.HashKeyRange?.StartingHashKey ?? '0'),
          end: BigInt(s.HashKeyRange?.EndingHashKey ?? '0'),
        }))
        .sort((a, b) => (a.start < b.start ? -1 : 1)),
    );
  }

  /** Lists the stream's shards; resolves undefined when the caller may not (e.g. a device role). */
  static async load(client: KinesisClient, streamName: string): Promise<ShardMap | undefined> {
    try {
      return ShardMap.fromShards(await listShards(client, streamName));
    } catch (error) {
      if (error instanceof Error && /AccessDenied|UnauthorizedOperation/.test(error.name))
        return undefined;
      throw error;
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  shardFor(partitionKey: string): string | undefined {
    // A client sees few distinct keys (its devices): remember them, bounded.
    if (this.cache.has(partitionKey)) return this.cache.get(partitionKey);
    const hash = hashKeyOf(partitionKey);
    const shard = this.ranges.find((r) => hash >= r.start && hash <= r.end)?.id;
    if (this.cache.size >= 100_000) this.cache.clear();
    this.cache.set(partitionKey, shard);
    return shard;
  }
}
