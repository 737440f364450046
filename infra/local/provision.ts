import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  type KinesisClient,
  ResourceInUseException as StreamInUseException,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { TABLES, type TableDefinition, TELEMETRY_STREAM } from '#shared/resources';

/** Creates a table from its shared definition (under `name`, default its local name), unless it exists. */
export async function ensureTable(
  client: DynamoDBClient,
  table: TableDefinition,
  name: string = table.localName,
): Promise<void> {
  const attributes: AttributeDefinition[] = [
    { AttributeName: table.partitionKey, AttributeType: 'S' },
  ];
  const keySchema: KeySchemaElement[] = [{ AttributeName: table.partitionKey, KeyType: 'HASH' }];
  if (table.sortKey !== undefined) {
    attributes.push({ AttributeName: table.sortKey, AttributeType: 'S' });
    keySchema.push({ AttributeName: table.sortKey, KeyType: 'RANGE' });
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: attributes,
        KeySchema: keySchema,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 },
    { TableName: name },
  );
}

/** Creates every table and the telemetry stream of the embedded stack. */
export async function provisionLocalResources(
  dynamodb: DynamoDBClient,
  kinesis: KinesisClient,
  options: { shardCount?: number } = {},
): Promise<void> {
  for (const table of Object.values(TABLES)) await ensureTable(dynamodb, table);
  try {
    await kinesis.send(
      new CreateStreamCommand({
        StreamName: TELEMETRY_STREAM.localName,
        ShardCount: options.shardCount ?? 2,
      }),
    );
  } catch (error) {
    if (!(error instanceof StreamInUseException)) throw error;
  }
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 30 },
    { StreamName: TELEMETRY_STREAM.localName },
  );
}
