import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ShardStatus, ShardStatusSink } from '#domain/ports';
import { type Item, num, str } from './item-codec.js';
import { queryPartition } from './query-partition.js';

/** The partition of the pipeline-status table that holds one status item per shard. */
const PK = 'SHARD';

/**
 * Shard status in the pipeline-status table: `pk` = `SHARD`, `sk` = the shard id, one item per shard that the processor overwrites after every batch
 * (about 200 bytes: one write unit per batch). A batch that finished before the stored one
 * (two invocations of one shard overlapping, a retry) does not overwrite it.
 */
export class DynamoDbShardStatus implements ShardStatusSink {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async record(status: ShardStatus): Promise<void> {
    const item: Item = {
      pk: { S: PK },
      sk: { S: status.shardId },
      batchAt: { S: status.batchAt },
      newestArrivedAt: { S: status.newestArrivedAt },
      iteratorAgeMs: { N: String(status.iteratorAgeMs) },
      records: { N: String(status.records) },
      events: { N: String(status.events) },
      counted: { N: String(status.counted) },
      deadLettered: { N: String(status.deadLettered) },
      failedRecords: { N: String(status.failedRecords) },
    };
    if (status.error !== undefined) {
      item.errorMessage = { S: status.error.message.slice(0, 200) };
      if (status.error.name !== undefined) item.errorName = { S: status.error.name };
    }
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR batchAt <= :at',
          ExpressionAttributeValues: { ':at': { S: status.batchAt } },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException'))
          throw error;
      });
  }
}

/** Every shard's last status (one Query: one item per shard the processor has read). */
export async function readShardStatuses(
  client: DynamoDBClient,
  tableName: string,
): Promise<ShardStatus[]> {
  const { items } = await queryPartition(client, tableName, PK, { consistent: true });
  return items.map(decode);
}

function decode(item: Item): ShardStatus {
  const message = str(item, 'errorMessage');
  const name = str(item, 'errorName');
  return {
    shardId: str(item, 'sk') ?? '',
    batchAt: str(item, 'batchAt') ?? '',
    newestArrivedAt: str(item, 'newestArrivedAt') ?? '',
    iteratorAgeMs: num(item, 'iteratorAgeMs'),
    records: num(item, 'records'),
    events: num(item, 'events'),
    counted: num(item, 'counted'),
    deadLettered: num(item, 'deadLettered'),
    failedRecords: num(item, 'failedRecords'),
    ...(message !== undefined && {
      error: { message, ...(name !== undefined && { name }) },
    }),
  };
}
