import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { countersOf, type Item } from '../adapters/item-codec.js';
import {
  ORG_ROLLUP_SHARDS,
  orgDayPk,
  orgWeekPk,
  REGION_ROLLUP_SHARDS,
  regionDayPk,
} from '../domain/aggregate-keys.js';
import { type Counters, sumCounters } from '../domain/counters.js';
import { StoreInfo } from '../domain/registry-types.js';

/** Read side of the aggregates, always by key (Query/GetItem), never by Scan. */
export interface ImpactReader {
  /** Summed store counters over every store, from the organisation rollup shards. */
  orgDays(from: string, to: string): Promise<Counters>;
  regionDays(region: string, from: string, to: string): Promise<Counters>;
  /** Store-day counters by date (dates without activity are absent). */
  storeDays(storeId: string, from: string, to: string): Promise<Map<string, Counters>>;
  /** Summed team counters over every team for ISO weeks `fromWeek`..`toWeek`. */
  orgWeeks(fromWeek: string, toWeek: string): Promise<Counters>;
  store(storeId: string): Promise<StoreInfo | undefined>;
}

export class DynamoDbImpactReader implements ImpactReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly aggregatesTable: string,
    private readonly registryTable: string,
  ) {}

  async orgDays(from: string, to: string): Promise<Counters> {
    const shards = Array.from({ length: ORG_ROLLUP_SHARDS }, (_, k) => orgDayPk(k));
    return sumCounters(
      (await Promise.all(shards.map((pk) => this.query(pk, from, to)))).flat().map(countersOf),
    );
  }

  async regionDays(region: string, from: string, to: string): Promise<Counters> {
    const shards = Array.from({ length: REGION_ROLLUP_SHARDS }, (_, k) => regionDayPk(region, k));
    return sumCounters(
      (await Promise.all(shards.map((pk) => this.query(pk, from, to)))).flat().map(countersOf),
    );
  }

  async storeDays(storeId: string, from: string, to: string): Promise<Map<string, Counters>> {
    const items = await this.query(`STORE#${storeId}`, `DAY#${from}`, `DAY#${to}`);
    return new Map(
      items.map((item) => [(item.sk?.S ?? '').slice('DAY#'.length), countersOf(item)]),
    );
  }

  async orgWeeks(fromWeek: string, toWeek: string): Promise<Counters> {
    const shards = Array.from({ length: ORG_ROLLUP_SHARDS }, (_, k) => orgWeekPk(k));
    return sumCounters(
      (await Promise.all(shards.map((pk) => this.query(pk, fromWeek, toWeek))))
        .flat()
        .map(countersOf),
    );
  }

  async store(storeId: string): Promise<StoreInfo | undefined> {
    const response = await this.client.send(
      new GetItemCommand({ TableName: this.registryTable, Key: { pk: { S: `STORE#${storeId}` } } }),
    );
    const raw = response.Item?.info?.S;
    if (raw === undefined) return undefined;
    const parsed = StoreInfo.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** All items of one partition with `from <= sk <= to`, following pagination. */
  private async query(pk: string, from: string, to: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const response = await this.client.send(
        new QueryCommand({
          TableName: this.aggregatesTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: from }, ':to': { S: to } },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(response.Items ?? []));
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}
