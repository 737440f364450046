import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';

/** Every shard of a stream (open and closed), following ListShards' pages to the last. */
export async function listShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(
        token === undefined ? { StreamName: streamName } : { NextToken: token },
      ),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return shards;
}
