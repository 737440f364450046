import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { drainUnprocessed } from './drain-unprocessed.js';
import type { Item } from './item-codec.js';

const BATCH_GET_LIMIT = 100;

/**
 * Reads every key, 100 per BatchGetItem, re-asking for UnprocessedKeys until none are left.
 * Keys without an item are simply absent from the result.
 */
export async function getAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Record<string, AttributeValue>[],
  options: Omit<KeysAndAttributes, 'Keys'> = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
    const first: Record<string, KeysAndAttributes> = {
      [tableName]: { ...options, Keys: keys.slice(i, i + BATCH_GET_LIMIT) },
    };
    await drainUnprocessed(
      'BatchGetItem',
      first,
      async (request) => {
        const response = await client.send(new BatchGetItemCommand({ RequestItems: request }));
        items.push(...(response.Responses?.[tableName] ?? []));
        return response.UnprocessedKeys;
      },
      (request) => request?.[tableName]?.Keys?.length ?? 0,
    );
  }
  return items;
}
