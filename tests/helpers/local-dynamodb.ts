import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { unpackHomeState } from '../../functions/adapters/home-codec.js';
import { countersOf } from '../../functions/adapters/item-codec.js';
import { startEmulators } from '../../infra/local/emulators.js';
import { provisionLocalResources } from '../../infra/local/provision.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Fresh emulators on free ports in a temporary folder, with the stack's tables and stream. */
export async function freshEmulators(shardCount = 2) {
  const dir = mkdtempSync(join(tmpdir(), 'sfi-it-'));
  const emulators = await startEmulators({ dataDir: dir, kinesisPort: 0, dynamodbPort: 0 });
  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: emulators.dynamodbEndpoint,
    credentials,
  });
  const kinesis = new KinesisClient({
    region: 'us-east-1',
    endpoint: emulators.kinesisEndpoint,
    credentials,
    requestHandler: new NodeHttpHandler(),
  });
  await provisionLocalResources(dynamodb, kinesis, { shardCount });
  return {
    dir,
    dynamodb,
    kinesis,
    emulators,
    async close() {
      dynamodb.destroy();
      kinesis.destroy();
      await emulators.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every item of a table, for test assertions only (a test may Scan; the product never does).
 * Volatile bookkeeping (`updatedAt`) is left out so two runs can be compared.
 */
export async function allItems(
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const { updatedAt: _volatile, ...rest } = item;
      items.push(rest);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items.sort((a, b) => `${a.pk?.S}|${a.sk?.S}`.localeCompare(`${b.pk?.S}|${b.sk?.S}`));
}

/**
 * An item's size as DynamoDB counts it against the 400 KB limit and bills it: each attribute
 * name's UTF-8 bytes plus its value's (a string's UTF-8 bytes, a binary's bytes, a number's
 * about one byte per two digits plus one, a map or list 3 bytes plus 1 per element).
 */
export function itemBytes(item: Record<string, AttributeValue>): number {
  const value = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, '').length / 2) + 1;
    if (v.B !== undefined) return v.B.byteLength;
    if (v.M !== undefined)
      return Object.entries(v.M).reduce((s, [k, e]) => s + 1 + Buffer.byteLength(k) + value(e), 3);
    if (v.L !== undefined) return v.L.reduce((s, e) => s + 1 + value(e), 3);
    if (v.SS !== undefined) return v.SS.reduce((s, e) => s + Buffer.byteLength(e), 0);
    return 1;
  };
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + value(v), 0);
}

/**
 * The counters of any aggregate item as read from the table: a home's from its packed state
 * (home-codec.ts), a summary's or a rollup's from their number attributes.
 */
export function itemCounters(item: Record<string, AttributeValue>): Record<string, number> {
  const sk = item.sk?.S ?? '';
  return sk.startsWith('SLOT#') || sk.startsWith('PART#')
    ? unpackHomeState(item).counters
    : countersOf(item);
}
