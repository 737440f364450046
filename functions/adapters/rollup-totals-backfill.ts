import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ItemKey,
  itemId,
  ORG_ROLLUP_SHARDS,
  orgDayPk,
  REGION_ROLLUP_SHARDS,
  regionDayPk,
  totalsKeyOf,
} from '#domain/aggregate-keys';
import type { Counters } from '#domain/counters';
import { StoreInfo } from '#domain/registry-types';
import { mapLimit } from '#utils';
import { getAll } from './batch-get.js';
import { DynamoDbAggregateStore } from './dynamodb-aggregate-store.js';
import { countersOf, type Item, num, str } from './item-codec.js';

/**
 * The regions of the registry's stores: what names the region rollups' partitions. A scan of
 * the registry (one item per store and device), not of the aggregates.
 */
export async function registeredRegions(
  client: DynamoDBClient,
  registryTable: string,
): Promise<string[]> {
  const regions = new Set<string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: registryTable,
        FilterExpression: 'begins_with(pk, :store)',
        ExpressionAttributeValues: { ':store': { S: 'STORE#' } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const parsed = StoreInfo.safeParse(JSON.parse(item.info?.S ?? 'null'));
      if (parsed.success) regions.add(parsed.data.region);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return [...regions].sort();
}

/**
 * Gives every day rollup item of the organisation and of `regions` a totals copy (what
 * `/v1/impact` reads), for a table whose rollups were written before the copies existed. Each
 * copy is the rollup's counters at its `rev` (0 if it was never written since), set only where
 * the copy is missing, older, or at the same rev with other counters (code from before the
 * copies, a rollback or an invocation running through the upgrade, adds to a rollup without
 * counting the write in `rev`), and never over a newer one, so it is safe while the processor
 * runs and safe to repeat: the processor's next write of a rollup moves its copy on.
 */
export async function backfillRollupTotals(
  client: DynamoDBClient,
  aggregatesTable: string,
  regions: readonly string[],
): Promise<{ rollups: number; copied: number }> {
  const store = new DynamoDbAggregateStore(client, aggregatesTable);
  const partitions = [
    ...Array.from({ length: ORG_ROLLUP_SHARDS }, (_, k) => orgDayPk(k)),
    ...regions.flatMap((r) =>
      Array.from({ length: REGION_ROLLUP_SHARDS }, (_, k) => regionDayPk(r, k)),
    ),
  ];
  let rollups = 0;
  let copied = 0;
  await mapLimit(partitions, 4, async (pk) => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: aggregatesTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      const items: Item[] = page.Items ?? [];
      rollups += items.length;
      const stale = await staleCopies(client, aggregatesTable, pk, items);
      const results = await mapLimit(stale, 8, ({ key, item }) =>
        store.putRollupTotals(
          key,
          { rev: num(item, 'rev'), counters: countersOf(item) },
          { orSameRev: true },
        ),
      );
      copied += results.filter((r) => r === 'ok').length;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  });
  return { rollups, copied };
}

/** The rollup items of partition `pk` whose totals copies are missing, older or differ. */
async function staleCopies(
  client: DynamoDBClient,
  table: string,
  pk: string,
  items: readonly Item[],
): Promise<{ key: ItemKey; item: Item }[]> {
  const rollups = items.map((item) => ({ key: { pk, sk: str(item, 'sk') ?? '' }, item }));
  const copyKeys = rollups.map(({ key }) => totalsKeyOf(key) as ItemKey);
  const copies = new Map(
    (
      await getAll(
        client,
        table,
        copyKeys.map((k) => ({ pk: { S: k.pk }, sk: { S: k.sk } })),
        { ConsistentRead: true },
      )
    ).map((copy) => [`${str(copy, 'pk')}|${str(copy, 'sk')}`, copy]),
  );
  return rollups.filter(({ item }, i) => {
    const copy = copies.get(itemId(copyKeys[i] as ItemKey));
    if (copy === undefined) return true;
    const rev = num(item, 'rev');
    return (
      num(copy, 'rev') < rev ||
      (num(copy, 'rev') === rev && !same(countersOf(copy), countersOf(item)))
    );
  });
}

const same = (a: Counters, b: Counters) => {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((n) => (a[n] ?? 0) === (b[n] ?? 0));
};
