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
  options: {
    readonly limit?: number;
    readonly consistent?: boolean;
    /** Only the items whose sort key (`sk`) starts with this. */
    readonly sortKeyPrefix?: string;
  } = {},
): Promise<{ items: Item[]; truncated: boolean }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression:
          options.sortKeyPrefix === undefined
            ? 'pk = :pk'
            : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': { S: pk },
          ...(options.sortKeyPrefix !== undefined && { ':prefix': { S: options.sortKeyPrefix } }),
        },
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
