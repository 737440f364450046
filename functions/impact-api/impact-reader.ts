import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  countersOf,
  DynamoDbFleetHealth,
  decodeRegistryEntry,
  type Item,
  queryCoverage,
  queryFleetHealth,
  storePk,
  unpackContributors,
  unpackHomeState,
} from '#adapters';
import {
  type ItemRange,
  ORG_ROLLUP_SHARDS,
  orgDayPk,
  orgDayTotalsPk,
  orgWeekPk,
  REGION_ROLLUP_SHARDS,
  regionDayPk,
  regionDayTotalsPk,
  type SummaryKey,
  slotOfSk,
  storeSlotRange,
  summaryPeriodOf,
  summaryRange,
  totalsDateOf,
  totalsRange,
} from '#domain/aggregate-keys';
import { addCounters, type Counters } from '#domain/counters';
import type { CoverageSummary, StoreHealth } from '#domain/fleet-health';
import type { StoreInfo } from '#domain/registry-types';
import { decodeSnapshot, type SnapshotKind } from '#domain/snapshots';

/** Rollup items summed over a period: in total, per contributing store or team, and per day or week. */
export interface RollupRead {
  readonly totals: Counters;
  readonly byContributor: Map<string, Counters>;
  /** By date (store figures) or ISO week (team figures); periods without activity are absent. */
  readonly byPeriod: Map<string, Counters>;
}

/** Store totals over a period: in total and per date (dates without activity are absent). */
export interface TotalsRead {
  readonly totals: Counters;
  readonly byPeriod: Map<string, Counters>;
}

/**
 * What some reads cost, as DynamoDB reports it (`ReturnConsumedCapacity: TOTAL`): the items
 * they returned and the read units billed. A caller passes one in and the reads add to it.
 */
export interface ReadCost {
  itemsRead: number;
  readUnits: number;
  queries: number;
}

export const noReadCost = (): ReadCost => ({ itemsRead: 0, readUnits: 0, queries: 0 });

/** A store slot's local date and start time (`HH:MM`) and its counters. */
export interface SlotRead {
  readonly date: string;
  readonly slot: string;
  readonly counters: Counters;
}

/** Read side of the aggregates, always by key (Query/GetItem), never by Scan. */
export interface ImpactReader {
  /**
   * Store figures over every store (or one region's), per store too, from the rollup shards;
   * what the reads cost is added to `cost` when given.
   */
  storeRollup(
    region: string | undefined,
    from: string,
    to: string,
    cost?: ReadCost,
  ): Promise<RollupRead>;
  /**
   * A store's slots of its local days `from ..= to` (slots without activity are absent), in
   * key order; what the Query cost is added to `cost`.
   */
  storeSlots(storeId: string, from: string, to: string, cost: ReadCost): Promise<SlotRead[]>;
  /**
   * The same totals without the per-store figures, from the rollups' totals copies (a few
   * hundred bytes per shard and day, where a rollup item holds every store's entry).
   */
  storeTotals(region: string | undefined, from: string, to: string): Promise<TotalsRead>;
  /** Team figures over every team for ISO weeks `fromWeek`..`toWeek`. */
  teamRollup(fromWeek: string, toWeek: string): Promise<RollupRead>;
  /** Store-day counters by date (dates without activity are absent). */
  storeDays(storeId: string, from: string, to: string): Promise<Map<string, Counters>>;
  /** Team-week counters by ISO week. */
  teamWeeks(teamId: string, fromWeek: string, toWeek: string): Promise<Map<string, Counters>>;
  store(storeId: string): Promise<StoreInfo | undefined>;
  /** A region's fleet health items, at most `limit` (fleet-health.ts). */
  fleetHealth(
    region: string,
    limit: number,
  ): Promise<{ stores: StoreHealth[]; truncated: boolean }>;
  /** Coverage summaries of these regions' stores, or of every store (undefined). */
  fleetCoverage(regions: readonly string[] | undefined): Promise<CoverageSummary[]>;
  /** These stores' fleet health items; stores without one are absent. */
  storesHealth(
    stores: readonly { readonly storeId: string; readonly region: string }[],
  ): Promise<StoreHealth[]>;
}

/** Sums rollup items: their counters, and each contributor's snapshot. */
export function sumRollupItems(items: readonly Item[], kind: SnapshotKind): RollupRead {
  const totals: Counters = {};
  const byContributor = new Map<string, Counters>();
  const byPeriod = new Map<string, Counters>();
  for (const item of items) {
    const counters = countersOf(item);
    addCounters(totals, counters);
    const period = item.sk?.S ?? '';
    byPeriod.set(period, addCounters(byPeriod.get(period) ?? {}, counters));
    for (const [contributor, { snapshot }] of unpackContributors(item)) {
      const sum = byContributor.get(contributor) ?? {};
      addCounters(sum, decodeSnapshot(kind, snapshot));
      byContributor.set(contributor, sum);
    }
  }
  return { totals, byContributor, byPeriod };
}

export class DynamoDbImpactReader implements ImpactReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly aggregatesTable: string,
    private readonly registryTable: string,
  ) {}

  async storeRollup(
    region: string | undefined,
    from: string,
    to: string,
    cost?: ReadCost,
  ): Promise<RollupRead> {
    const partitions =
      region === undefined
        ? Array.from({ length: ORG_ROLLUP_SHARDS }, (_, k) => orgDayPk(k))
        : Array.from({ length: REGION_ROLLUP_SHARDS }, (_, k) => regionDayPk(region, k));
    const items = await Promise.all(partitions.map((pk) => this.query(pk, from, to, cost)));
    return sumRollupItems(items.flat(), 'store');
  }

  async storeSlots(storeId: string, from: string, to: string, cost: ReadCost) {
    const range = storeSlotRange(storeId, from, to);
    const slots: SlotRead[] = [];
    for (const item of await this.query(range.pk, range.fromSk, range.toSk, cost)) {
      const at = slotOfSk(item.sk?.S ?? '');
      if (at !== undefined) slots.push({ ...at, counters: unpackHomeState(item).counters });
    }
    return slots;
  }

  async storeTotals(region: string | undefined, from: string, to: string): Promise<TotalsRead> {
    const range = totalsRange(
      region === undefined ? orgDayTotalsPk : regionDayTotalsPk(region),
      from,
      to,
    );
    const totals: Counters = {};
    const byPeriod = new Map<string, Counters>();
    for (const item of await this.query(range.pk, range.fromSk, range.toSk)) {
      const counters = countersOf(item);
      addCounters(totals, counters);
      const date = totalsDateOf(item.sk?.S ?? '');
      byPeriod.set(date, addCounters(byPeriod.get(date) ?? {}, counters));
    }
    return { totals, byPeriod };
  }

  async teamRollup(fromWeek: string, toWeek: string): Promise<RollupRead> {
    const partitions = Array.from({ length: ORG_ROLLUP_SHARDS }, (_, k) => orgWeekPk(k));
    const items = await Promise.all(partitions.map((pk) => this.query(pk, fromWeek, toWeek)));
    return sumRollupItems(items.flat(), 'team');
  }

  async storeDays(storeId: string, from: string, to: string): Promise<Map<string, Counters>> {
    const day = (date: string): SummaryKey => ({ kind: 'store-day', storeId, date });
    return this.summaries(summaryRange(day(from), day(to)), 'store-day');
  }

  async teamWeeks(
    teamId: string,
    fromWeek: string,
    toWeek: string,
  ): Promise<Map<string, Counters>> {
    const week = (w: string): SummaryKey => ({ kind: 'team-week', teamId, week: w });
    return this.summaries(summaryRange(week(fromWeek), week(toWeek)), 'team-week');
  }

  async store(storeId: string): Promise<StoreInfo | undefined> {
    const response = await this.client.send(
      new GetItemCommand({ TableName: this.registryTable, Key: { pk: { S: storePk(storeId) } } }),
    );
    const entry = decodeRegistryEntry(storePk(storeId), response.Item);
    return entry !== undefined && 'timeZone' in entry ? entry : undefined;
  }

  fleetHealth(region: string, limit: number) {
    return queryFleetHealth(this.client, this.aggregatesTable, region, limit);
  }

  async fleetCoverage(regions: readonly string[] | undefined) {
    if (regions === undefined) {
      return (await queryCoverage(this.client, this.aggregatesTable, undefined)).summaries;
    }
    const reads = await Promise.all(
      regions.map((r) => queryCoverage(this.client, this.aggregatesTable, r)),
    );
    return reads.flatMap((r) => r.summaries);
  }

  async storesHealth(stores: readonly { readonly storeId: string; readonly region: string }[]) {
    const found = await new DynamoDbFleetHealth(this.client, this.aggregatesTable).load(stores);
    return [...found.values()];
  }

  /** Summary items' counters by the period their sort key names. */
  private async summaries(
    range: ItemRange,
    kind: SummaryKey['kind'],
  ): Promise<Map<string, Counters>> {
    const items = await this.query(range.pk, range.fromSk, range.toSk);
    return new Map(
      items.map((item) => [summaryPeriodOf(kind, item.sk?.S ?? ''), countersOf(item)]),
    );
  }

  /**
   * All items of one partition with `from <= sk <= to`, following pagination; with `cost`,
   * each page asks for and adds its consumed capacity.
   */
  private async query(pk: string, from: string, to: string, cost?: ReadCost): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const response = await this.client.send(
        new QueryCommand({
          TableName: this.aggregatesTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: from }, ':to': { S: to } },
          ExclusiveStartKey: startKey,
          ...(cost !== undefined && { ReturnConsumedCapacity: 'TOTAL' as const }),
        }),
      );
      items.push(...(response.Items ?? []));
      if (cost !== undefined) {
        cost.itemsRead += response.Items?.length ?? 0;
        cost.readUnits += response.ConsumedCapacity?.CapacityUnits ?? 0;
        cost.queries += 1;
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}
