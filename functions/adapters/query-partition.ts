import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from './item-codec.js';

/**
 * The items of one partition, page by page, at most `limit` of them (`truncated` when more
 * were left): one Query per 1,000 items, so the work a partition can cause is bounded.
 */
export async function queryPartition(
  client: DynamoDBClient,
  tableName: string,
  pk: string,
  options: { readonly limit?: number; readonly consistent?: boolean } = {},
): Promise<{ items: Item[]; truncated: boolean }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ExclusiveStartKey: start,
        Limit: Math.min(1_000, limit - items.length),
        ...(options.consistent === true && { ConsistentRead: true }),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
    if (items.length >= limit) return { items, truncated: start !== undefined };
  } while (start !== undefined);
  return { items, truncated: false };
}
