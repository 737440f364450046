import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type HomeKey,
  homeItemKey,
  type ItemKey,
  itemId,
  type RollupTarget,
  rollupVersionId,
  type SummaryKey,
  summaryItemKey,
} from '#domain/aggregate-keys';
import type { HomeState } from '#domain/home-state';
import type { AggregateStore, RollupContribution, WriteResult } from '#domain/ports';
import type { SummaryState } from '#domain/summary-state';
import { getAll } from './batch-get.js';
import {
  packHomeState,
  packSummaryState,
  unpackHomeState,
  unpackSummaryState,
} from './home-codec.js';
import { countersOf, type Item, num, str } from './item-codec.js';
import { packContributors, unpackContributors } from './rollup-codec.js';

/**
 * Puts a rollup item at most this many times per `addToRollup` when other invocations keep
 * writing it in between; then the caller hears `conflict` and settles each contributor alone.
 */
const ROLLUP_PUT_ATTEMPTS = 4;

/** The processor's aggregate storage on one DynamoDB table (see aggregate-keys.ts). */
export class DynamoDbAggregateStore implements AggregateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  loadHomes(keys: readonly HomeKey[]): Promise<Map<string, HomeState>> {
    return this.loadVersioned(keys, homeItemKey, decodeHome);
  }

  putHome(next: HomeState, expectedVersion: number): Promise<WriteResult> {
    return this.putVersioned(encodeHome(next), expectedVersion);
  }

  loadSummaries(keys: readonly SummaryKey[]): Promise<Map<string, SummaryState>> {
    return this.loadVersioned(keys, summaryItemKey, decodeSummary);
  }

  putSummary(next: SummaryState, expectedVersion: number): Promise<WriteResult> {
    return this.putVersioned(encodeSummary(next), expectedVersion);
  }

  private async loadVersioned<K, S>(
    keys: readonly K[],
    itemKeyOf: (key: K) => ItemKey,
    decode: (key: K, item: Item) => S,
  ): Promise<Map<string, S>> {
    const byId = new Map(keys.map((k) => [itemId(itemKeyOf(k)), k]));
    const items = await this.batchGet([...byId.keys()].map((id) => splitId(id)));
    const out = new Map<string, S>();
    for (const item of items) {
      const id = `${str(item, 'pk')}|${str(item, 'sk')}`;
      const key = byId.get(id);
      if (key !== undefined) out.set(id, decode(key, item));
    }
    return out;
  }

  /** A whole-item put, only if the stored `version` is still `expectedVersion` (0 = none). */
  private async putVersioned(item: Item, expectedVersion: number): Promise<WriteResult> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression:
            expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
          ...(expectedVersion !== 0 && {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          }),
        }),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  async loadRollupVersions(targets: readonly RollupTarget[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const t of targets) out.set(rollupVersionId(t), 0);
    const items = await this.batchGet([...new Map(targets.map((t) => [itemId(t), t])).values()]);
    const byItem = new Map(items.map((item) => [`${str(item, 'pk')}|${str(item, 'sk')}`, item]));
    for (const t of targets) {
      const item = byItem.get(itemId(t));
      if (item === undefined) continue;
      out.set(rollupVersionId(t), unpackContributors(item).get(t.contributor)?.version ?? 0);
    }
    return out;
  }

  /**
   * Adds the contributions in one put of the whole item (rollup-codec.ts), only if every
   * contributor is still at its `fromVersion`; `conflict` otherwise. The put is conditional on
   * the item's `rev` as read: when another invocation wrote the item in between (adding other
   * contributors), it reads again and retries, a few times, before answering `conflict`.
   */
  async addToRollup(
    target: ItemKey,
    contributions: readonly RollupContribution[],
  ): Promise<WriteResult> {
    for (let attempt = 1; attempt <= ROLLUP_PUT_ATTEMPTS; attempt++) {
      const [item] = await this.batchGet([target]);
      const entries = item === undefined ? new Map() : unpackContributors(item);
      if (contributions.some((c) => (entries.get(c.contributor)?.version ?? 0) !== c.fromVersion))
        return 'conflict';
      const counters = item === undefined ? {} : countersOf(item);
      for (const c of contributions) {
        for (const [name, value] of Object.entries(c.delta)) {
          if (value !== 0) counters[name] = (counters[name] ?? 0) + value;
        }
        entries.set(c.contributor, { version: c.toVersion, snapshot: c.snapshot });
      }
      const rev = item === undefined ? 0 : num(item, 'rev');
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: target.pk },
              sk: { S: target.sk },
              kind: { S: 'rollup' },
              rev: { N: String(rev + 1) },
              updatedAt: { S: new Date().toISOString() },
              contributors: packContributors(entries),
              ...Object.fromEntries(
                Object.entries(counters).map(([name, value]) => [name, { N: String(value) }]),
              ),
            },
            ConditionExpression: rev === 0 ? 'attribute_not_exists(#rev)' : '#rev = :rev',
            ExpressionAttributeNames: { '#rev': 'rev' },
            ...(rev !== 0 && { ExpressionAttributeValues: { ':rev': { N: String(rev) } } }),
          }),
        );
        return 'ok';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return 'conflict';
  }

  private batchGet(
    keys: readonly ItemKey[],
    options: {
      ProjectionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
    } = {},
  ): Promise<Item[]> {
    const dynamoKeys = keys.map((k) => ({ pk: { S: k.pk }, sk: { S: k.sk } }));
    return getAll(this.client, this.tableName, dynamoKeys, { ConsistentRead: true, ...options });
  }
}

function splitId(id: string): ItemKey {
  const bar = id.indexOf('|');
  return { pk: id.slice(0, bar), sk: id.slice(bar + 1) };
}

/**
 * A home or summary item: its key, kind and version, `own` (the attributes only its type has),
 * its write time and its region if it has one.
 */
function aggregateItem(key: ItemKey, state: HomeState | SummaryState, own: Item): Item {
  const item: Item = {
    pk: { S: key.pk },
    sk: { S: key.sk },
    kind: { S: state.key.kind },
    version: { N: String(state.version) },
    ...own,
    updatedAt: { S: new Date().toISOString() },
  };
  if (state.region !== undefined) item.region = { S: state.region };
  return item;
}

function encodeHome(state: HomeState): Item {
  return aggregateItem(homeItemKey(state.key), state, {
    ...(state.key.kind === 'store-slot'
      ? {
          storeId: { S: state.key.storeId },
          date: { S: state.key.date },
          slot: { S: state.key.slot },
        }
      : {
          teamId: { S: state.key.teamId },
          week: { S: state.key.week },
          part: { N: String(state.key.part) },
        }),
    packed: packHomeState(state),
  });
}

function decodeHome(key: HomeKey, item: Item): HomeState {
  return {
    key,
    region: str(item, 'region'),
    version: num(item, 'version'),
    ...unpackHomeState(item),
  };
}

/** A summary: its bookkeeping packed, its counters plain numbers (what the API reads). */
function encodeSummary(state: SummaryState): Item {
  const item = aggregateItem(summaryItemKey(state.key), state, {
    ...(state.key.kind === 'store-day'
      ? { storeId: { S: state.key.storeId }, date: { S: state.key.date } }
      : { teamId: { S: state.key.teamId }, week: { S: state.key.week } }),
    packed: packSummaryState(state),
  });
  for (const [name, value] of Object.entries(state.counters)) item[name] = { N: String(value) };
  return item;
}

function decodeSummary(key: SummaryKey, item: Item): SummaryState {
  return {
    key,
    region: str(item, 'region'),
    version: num(item, 'version'),
    counters: countersOf(item),
    ...unpackSummaryState(item),
  };
}
