import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
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
  totalsKeyOf,
} from '#domain/aggregate-keys';
import { COUNTER_NAMES, type Counters } from '#domain/counters';
import { homeExpiresAt } from '#domain/home-expiry';
import type { HomeState } from '#domain/home-state';
import type {
  AggregateStore,
  RollupContribution,
  RollupHead,
  RollupVersions,
  WriteResult,
} from '#domain/ports';
import type { SummaryState } from '#domain/summary-state';
import { TABLES } from '#shared/resources';
import { getAll } from './batch-get.js';
import {
  packHomeState,
  packSummaryState,
  unpackHomeState,
  unpackSummaryState,
} from './home-codec.js';
import { countersOf, type Item, num, SNAPSHOT_PREFIX, str, VERSION_PREFIX } from './item-codec.js';
import {
  CONTRIBUTOR_PREFIX,
  contributorValue,
  unpackContributors,
  versionPrefix,
} from './rollup-codec.js';

export interface AggregateStoreOptions {
  /**
   * How long after its period a home item is kept (home-expiry.ts): each home is written with
   * `expiresAt`, the table's time-to-live attribute. Absent, homes are kept for good.
   */
  readonly homeRetentionMs?: number;
  readonly now?: () => number;
}

/** The processor's aggregate storage on one DynamoDB table (see aggregate-keys.ts). */
export class DynamoDbAggregateStore implements AggregateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: AggregateStoreOptions = {},
  ) {}

  loadHomes(keys: readonly HomeKey[]): Promise<Map<string, HomeState>> {
    return this.loadVersioned(keys, homeItemKey, decodeHome);
  }

  putHome(next: HomeState, expectedVersion: number): Promise<WriteResult> {
    const item = encodeHome(next);
    const retention = this.options.homeRetentionMs;
    if (retention !== undefined) {
      const now = (this.options.now ?? Date.now)();
      item[HOME_EXPIRES_AT] = { N: String(homeExpiresAt(next.key, retention, now)) };
    }
    return this.putVersioned(item, expectedVersion);
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

  async loadRollupVersions(targets: readonly RollupTarget[]): Promise<RollupVersions> {
    const byItem = new Map<string, RollupTarget[]>();
    for (const t of targets) {
      const id = itemId(t);
      byItem.set(id, [...(byItem.get(id) ?? []), t]);
    }
    const versions = new Map<string, number>();
    const heads = new Map<string, RollupHead>();
    for (const t of targets) versions.set(rollupVersionId(t), 0);
    // One projection covers every contributor asked about, in either layout (rollup-codec.ts),
    // and the item's head (its rev and counters). A read is billed by the whole item anyway.
    const contributors = [...new Set(targets.map((t) => t.contributor))];
    const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk', '#rev': REV };
    contributors.forEach((c, i) => {
      names[`#c${i}`] = `${CONTRIBUTOR_PREFIX}${c}`;
      names[`#v${i}`] = `${VERSION_PREFIX}${c}`;
    });
    [...COUNTER_NAMES].forEach((name, i) => {
      names[`#k${i}`] = name;
    });
    // The totals copies in the same read (a few hundred bytes each), so a batch that finds its
    // copies current, a replay, writes none.
    const rollupOfCopy = new Map<string, string>();
    for (const id of byItem.keys()) {
      const copy = totalsKeyOf(splitId(id));
      if (copy !== undefined) rollupOfCopy.set(itemId(copy), id);
    }
    const items = await this.batchGet(
      [...byItem.keys(), ...rollupOfCopy.keys()].map((id) => splitId(id)),
      { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names },
    );
    const copies = new Map<string, number>();
    for (const item of items) {
      const id = `${str(item, 'pk')}|${str(item, 'sk')}`;
      const rollup = rollupOfCopy.get(id);
      if (rollup !== undefined) {
        copies.set(rollup, num(item, REV));
        continue;
      }
      heads.set(id, headOf(item));
      const entries = unpackContributors(item);
      for (const t of byItem.get(id) ?? []) {
        versions.set(rollupVersionId(t), entries.get(t.contributor)?.version ?? 0);
      }
    }
    return { versions, heads, copies };
  }

  /**
   * Writes a day rollup's totals item (aggregate-keys.ts, `totalsKeyOf`): its counters as
   * plain numbers, as a summary keeps them, and the rollup's `rev` they are as of; only if the
   * item holds an earlier rev or none, so racing copies settle on the newest. `orSameRev` (the
   * backfill's repair, rollup-totals-backfill.ts) also replaces a copy at the same rev.
   */
  async putRollupTotals(
    rollup: ItemKey,
    head: RollupHead,
    options: { orSameRev?: boolean } = {},
  ): Promise<WriteResult> {
    const key = totalsKeyOf(rollup);
    if (key === undefined) throw new RangeError(`${itemId(rollup)} has no totals item`);
    const item: Item = {
      pk: { S: key.pk },
      sk: { S: key.sk },
      kind: { S: 'rollup-totals' },
      [REV]: { N: String(head.rev) },
      updatedAt: { S: new Date().toISOString() },
    };
    for (const [name, value] of Object.entries(head.counters)) item[name] = { N: String(value) };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: `attribute_not_exists(#rev) OR #rev ${options.orSameRev === true ? '<=' : '<'} :rev`,
          ExpressionAttributeNames: { '#rev': REV },
          ExpressionAttributeValues: { ':rev': { N: String(head.rev) } },
        }),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  /**
   * Adds the contributions' deltas and sets their entries in one `UpdateItem`, only if each
   * contributor is still at its `fromVersion` (in either layout, rollup-codec.ts); a write
   * moves each entry it sets to the current layout.
   */
  async addToRollup(
    target: ItemKey,
    contributions: readonly RollupContribution[],
  ): Promise<RollupHead | 'conflict'> {
    const total: Counters = {};
    for (const c of contributions) {
      for (const [name, value] of Object.entries(c.delta)) total[name] = (total[name] ?? 0) + value;
    }
    const names: Record<string, string> = {
      '#updatedAt': 'updatedAt',
      '#kind': 'kind',
      '#rev': REV,
    };
    const values: Item = {
      ':now': { S: new Date().toISOString() },
      ':kind': { S: 'rollup' },
      ':one': { N: '1' },
    };
    const adds = ['#rev :one'];
    const sets = ['#updatedAt = :now', '#kind = :kind'];
    const removes: string[] = [];
    const conditions: string[] = [];
    Object.entries(total)
      .filter(([, v]) => v !== 0)
      .forEach(([name, value], i) => {
        names[`#n${i}`] = name;
        values[`:n${i}`] = { N: String(value) };
        adds.push(`#n${i} :n${i}`);
      });
    contributions.forEach((c, i) => {
      names[`#c${i}`] = `${CONTRIBUTOR_PREFIX}${c.contributor}`;
      names[`#v${i}`] = `${VERSION_PREFIX}${c.contributor}`;
      names[`#s${i}`] = `${SNAPSHOT_PREFIX}${c.contributor}`;
      values[`:c${i}`] = {
        S: contributorValue({ version: c.toVersion, snapshot: c.snapshot }),
      };
      sets.push(`#c${i} = :c${i}`);
      removes.push(`#v${i}`, `#s${i}`);
      if (c.fromVersion === 0) {
        conditions.push(`(attribute_not_exists(#c${i}) AND attribute_not_exists(#v${i}))`);
      } else {
        values[`:p${i}`] = { S: versionPrefix(c.fromVersion) };
        values[`:from${i}`] = { N: String(c.fromVersion) };
        conditions.push(
          `(begins_with(#c${i}, :p${i}) OR (attribute_not_exists(#c${i}) AND #v${i} = :from${i}))`,
        );
      }
    });
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: target.pk }, sk: { S: target.sk } },
          UpdateExpression: [
            `SET ${sets.join(', ')}`,
            `ADD ${adds.join(', ')}`,
            `REMOVE ${removes.join(', ')}`,
          ].join(' '),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The whole item after the write: its counters are the totals copy's (no read units).
          ReturnValues: 'ALL_NEW',
        }),
      );
      return headOf(response.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
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

/** The aggregates table's time-to-live attribute: only home items carry it (home-expiry.ts). */
export const HOME_EXPIRES_AT = TABLES.aggregates.timeToLiveAttribute;

/** A rollup item's write count: of two copies of its counters, the higher rev is the newer. */
const REV = 'rev';

function headOf(item: Item): RollupHead {
  return { rev: num(item, REV), counters: countersOf(item) };
}

function splitId(id: string): ItemKey {
  const bar = id.indexOf('|');
  return { pk: id.slice(0, bar), sk: id.slice(bar + 1) };
}

/**
 * A home or summary item: its key, kind and version, `own` (the attributes only its type has),
 * its write time, its region if it has one, and `test` if it is test data.
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
  // Only test data carries the flag: every other item stays as it was.
  if (state.test) item.test = { BOOL: true };
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
    test: item.test?.BOOL === true,
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
    test: item.test?.BOOL === true,
    version: num(item, 'version'),
    counters: countersOf(item),
    ...unpackSummaryState(item),
  };
}
