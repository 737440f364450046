import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mapLimit } from '#utils';
import { drainUnprocessed } from './drain-unprocessed.js';
import type { Item } from './item-codec.js';

/**
 * Puts every item, 25 per BatchWriteItem with up to `concurrency` requests in flight,
 * re-sending UnprocessedItems (with backoff) until none are left.
 */
export async function putAll(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
  concurrency = 8,
): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, concurrency, async (chunk) => {
    const first: Record<string, WriteRequest[]> = {
      [tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
    };
    await drainUnprocessed(
      'BatchWriteItem',
      first,
      async (request) =>
        (await client.send(new BatchWriteItemCommand({ RequestItems: request }))).UnprocessedItems,
      (request) => request?.[tableName]?.length ?? 0,
    );
  });
}
