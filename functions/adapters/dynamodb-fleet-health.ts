import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DeviceHealth, StoreHealth } from '#domain/fleet-health';
import type { FleetHealthStore, WriteResult } from '#domain/ports';
import { getAll } from './batch-get.js';
import { type Item, num, str } from './item-codec.js';
import { queryPartition } from './query-partition.js';

/**
 * Fleet health items in the aggregates table: `pk` = `FLEET#{region}`, `sk` = `STORE#{id}`,
 * so one Query reads a region's stores. The devices are one string of compact tuples (about
 * 60 bytes a device: a 40-lane store's item is about 3 KB), with the daemon versions and
 * models named once per item.
 */
export class DynamoDbFleetHealth implements FleetHealthStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(
    stores: readonly { readonly storeId: string; readonly region: string }[],
  ): Promise<Map<string, StoreHealth>> {
    const items = await getAll(
      this.client,
      this.tableName,
      stores.map((s) => keyOf(s.region, s.storeId)),
      { ConsistentRead: true },
    );
    return new Map(items.map((item) => [str(item, 'storeId') ?? '', decodeHealth(item)]));
  }

  async put(next: StoreHealth): Promise<WriteResult> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: encodeHealth(next),
          ConditionExpression: next.version === 0 ? 'attribute_not_exists(pk)' : 'v = :expected',
          ...(next.version !== 0 && {
            ExpressionAttributeValues: { ':expected': { N: String(next.version) } },
          }),
        }),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        return 'conflict';
      }
      throw error;
    }
  }
}

/** A region's fleet health items (at most `limit`, default 5,000: one region's stores). */
export async function queryFleetHealth(
  client: DynamoDBClient,
  tableName: string,
  region: string,
  limit = 5_000,
): Promise<{ stores: StoreHealth[]; truncated: boolean }> {
  const { items, truncated } = await queryPartition(client, tableName, `FLEET#${region}`, {
    limit,
  });
  return { stores: items.map(decodeHealth), truncated };
}

const keyOf = (region: string, storeId: string) => ({
  pk: { S: `FLEET#${region}` },
  sk: { S: `STORE#${storeId}` },
});

/** [seenAt s, clockOffsetMs, spoolBytes, oldestUnsentAgeSeconds, deliveredThrough s, version index, model indexes, error code?, error at?] */
type Tuple = [number, number, number, number, number, number, number[], string?, string?];

export function encodeHealth(health: StoreHealth): Item {
  const versions: string[] = [];
  const models: string[] = [];
  const index = (list: string[], value: string) => {
    const at = list.indexOf(value);
    return at >= 0 ? at : list.push(value) - 1;
  };
  const devices: Record<string, Tuple> = {};
  for (const [id, d] of Object.entries(health.devices)) {
    devices[id] = [
      Math.floor(d.seenAt / 1000),
      d.clockOffsetMs,
      d.spoolBytes,
      d.oldestUnsentAgeSeconds,
      Math.floor(d.deliveredThrough / 1000),
      index(versions, d.daemonVersion),
      d.models.map((m) => index(models, m)),
      ...(d.lastError === undefined ? [] : [d.lastError.code, d.lastError.at]),
    ] as Tuple;
  }
  return {
    ...keyOf(health.region, health.storeId),
    storeId: { S: health.storeId },
    region: { S: health.region },
    devices: { S: JSON.stringify({ versions, models, devices }) },
    writtenAt: { N: String(health.writtenAt) },
    v: { N: String(health.version + 1) },
  };
}

export function decodeHealth(item: Item): StoreHealth {
  const packed = JSON.parse(str(item, 'devices') ?? '{}') as {
    versions?: string[];
    models?: string[];
    devices?: Record<string, Tuple>;
  };
  const devices: Record<string, DeviceHealth> = {};
  for (const [id, t] of Object.entries(packed.devices ?? {})) {
    const [seen, offset, bytes, age, through, version, modelIdx, code, at] = t;
    devices[id] = {
      seenAt: seen * 1000,
      clockOffsetMs: offset,
      spoolBytes: bytes,
      oldestUnsentAgeSeconds: age,
      deliveredThrough: through * 1000,
      daemonVersion: packed.versions?.[version] ?? '',
      models: modelIdx.map((i) => packed.models?.[i] ?? ''),
      ...(code !== undefined && at !== undefined && { lastError: { code, at } }),
    };
  }
  return {
    storeId: str(item, 'storeId') ?? '',
    region: str(item, 'region') ?? '',
    devices,
    writtenAt: num(item, 'writtenAt'),
    version: num(item, 'v'),
  };
}
