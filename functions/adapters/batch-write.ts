import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { drainUnprocessed } from './backoff.js';
import type { Item } from './item-codec.js';

/** Puts every item, 25 per BatchWriteItem, re-sending UnprocessedItems until none are left. */
export async function putAll(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const first: Record<string, WriteRequest[]> = {
      [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    await drainUnprocessed(
      'BatchWriteItem',
      first,
      async (request) =>
        (await client.send(new BatchWriteItemCommand({ RequestItems: request }))).UnprocessedItems,
      (request) => request?.[tableName]?.length ?? 0,
    );
  }
}
