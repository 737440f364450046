import {
  CreateStreamCommand,
  SplitShardCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listShards } from '#edge-client';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;

beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

describe('Integration: listShards against the Kinesis emulator', () => {
  it('lists every shard of a stream, the closed parent of a split and its children', async () => {
    // Prepare: one shard, split in two.
    const StreamName = 'list-shards';
    const ready = () =>
      waitUntilStreamExists(
        { client: env.kinesis, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
        { StreamName },
      );
    await env.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await ready();
    const [parent] = await listShards(env.kinesis, StreamName);
    await env.kinesis.send(
      new SplitShardCommand({
        StreamName,
        ShardToSplit: parent?.ShardId,
        NewStartingHashKey: String(2n ** 127n),
      }),
    );
    await ready();

    // Act
    const shards = await listShards(env.kinesis, StreamName);

    // Assess
    expect(shards).toHaveLength(3);
    const closed = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber !== undefined);
    expect(closed.map((s) => s.ShardId)).toEqual([parent?.ShardId]);
    expect(shards.filter((s) => s.ParentShardId === parent?.ShardId)).toHaveLength(2);
  });
});
