import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type CoverageSummary,
  coverageSummary,
  type DeviceHealth,
  type StoreHealth,
} from '#domain/fleet-health';
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
    const result = await this.putHealth(next);
    if (result === 'ok') await this.putCoverage(next);
    return result;
  }

  /**
   * The store's coverage summary beside the item (one small item per store in one partition,
   * so a region's or the organisation's coverage is one Query), never older than a newer one.
   */
  private async putCoverage(next: StoreHealth): Promise<void> {
    const c = coverageSummary(next);
    await this.client
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: COVERAGE_PK },
            sk: { S: `${c.region}#${c.storeId}` },
            c: { S: JSON.stringify(encodeCoverage(c)) },
            v: { N: String(next.version + 1) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR v < :v',
          ExpressionAttributeValues: { ':v': { N: String(next.version + 1) } },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException'))
          throw error;
      });
  }

  private async putHealth(next: StoreHealth): Promise<WriteResult> {
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

/** The partition of the stores' coverage summaries; sort key `{region}#{storeId}`. */
const COVERAGE_PK = 'FLEETCOV';

/** [storeId, region, known, reporting, silent, completeThrough s or -1, writtenAt s] */
type CoverageTuple = [string, string, number, number, number, number, number];

const encodeCoverage = (c: CoverageSummary): CoverageTuple => [
  c.storeId,
  c.region,
  c.known,
  c.reporting,
  c.silent,
  c.completeThrough === undefined ? -1 : Math.floor(c.completeThrough / 1000),
  Math.floor(c.writtenAt / 1000),
];

/**
 * The coverage summaries of a region's stores, or of every store (`region` undefined): one
 * Query of one partition, about 60 bytes a store, at most `limit` of them.
 */
export async function queryCoverage(
  client: DynamoDBClient,
  tableName: string,
  region: string | undefined,
  limit = 50_000,
): Promise<{ summaries: CoverageSummary[]; truncated: boolean }> {
  const { items, truncated } = await queryPartition(client, tableName, COVERAGE_PK, {
    limit,
    ...(region !== undefined && { sortKeyPrefix: `${region}#` }),
  });
  const summaries = items.map((item) => {
    const [storeId, storeRegion, known, reporting, silent, through, written] = JSON.parse(
      str(item, 'c') ?? '[]',
    ) as CoverageTuple;
    return {
      storeId,
      region: storeRegion,
      known,
      reporting,
      silent,
      ...(through >= 0 && { completeThrough: through * 1000 }),
      writtenAt: written * 1000,
    };
  });
  return { summaries, truncated };
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
