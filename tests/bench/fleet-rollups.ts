/**
 * The rest of the fleet in the rollup items, for `npm run bench:fleet`.
 *
 * A rollup item (an organisation or region day shard) holds, besides its totals, the version
 * and figures of every store that contributes to it, and every batch of every Kinesis shard
 * rewrites the rollup items its stores feed. So the write units a batch spends on rollups
 * depend on the whole fleet's size, not on the share a run simulates: in the reference fleet
 * (10,500 stores over 9 shards) an organisation shard holds some 1,300 stores. Before a run,
 * this writes the other shards' stores into the rollup items the run will update, with a
 * version and a full day's figures but no counters, so the run's totals (which the truth check
 * reads) are unchanged and its rollup writes are billed at the fleet's item sizes.
 *
 * A run of S stores stands for one shard of `fleetShards` (default 9): each rollup item then
 * holds `fleetShards x S` stores' entries, and a batch's rollup bytes per event are the
 * reference fleet's for any S.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { rollupTargetsOf } from '#domain/aggregate-keys';
import { encodeSnapshot, STORE_SNAPSHOT_FIELDS } from '#domain/snapshots';
import { mapLimit } from '#utils';
import {
  CONTRIBUTOR_PREFIX,
  type ContributorEntry,
  contributorValue,
} from '../../functions/adapters/rollup-codec.js';

/**
 * A full day of a store at the reference rate (40 lanes x 30 events an hour): the figures its
 * snapshot carries, so that the seeded entries are as long as real ones.
 */
const A_STORES_DAY = Object.fromEntries(
  STORE_SNAPSHOT_FIELDS.map((field, i) => [
    field,
    [9_600, 48_211_077, 31_904_518, 4_877_120, 9_113, 1_402][i] ?? 0,
  ]),
);

export interface SeedOptions {
  /** The DynamoDB endpoint, direct (not through the counting proxy: seeding is not billed). */
  readonly endpoint: string;
  readonly table: string;
  /** The stores this run simulates. */
  readonly runStores: number;
  /** The Kinesis shards whose stores feed the same rollups (1 seeds nothing). */
  readonly fleetShards: number;
  /** The regions the fleet's stores are in, round robin. */
  readonly regions: readonly string[];
  /** The store days to seed (the run's events land on these). */
  readonly dates: readonly string[];
}

/** Writes the other shards' stores into the run's rollup items; returns the entries written. */
export async function seedOtherStores(options: SeedOptions): Promise<number> {
  const others = (options.fleetShards - 1) * options.runStores;
  if (others <= 0) return 0;
  const items = new Map<
    string,
    { pk: string; sk: string; entries: Map<string, ContributorEntry> }
  >();
  for (let i = 0; i < others; i++) {
    const storeId = `fleet-store-${String(i + 1).padStart(6, '0')}`;
    const region = options.regions[i % options.regions.length] as string;
    for (const date of options.dates) {
      for (const target of rollupTargetsOf(
        { kind: 'store-day', storeId, date },
        { region, test: false },
      )) {
        const id = `${target.pk}|${target.sk}`;
        let item = items.get(id);
        if (item === undefined) {
          item = { pk: target.pk, sk: target.sk, entries: new Map() };
          items.set(id, item);
        }
        // A store's day takes about 1,440 one-minute batches: a four-digit version.
        item.entries.set(storeId, {
          version: 1_000 + (i % 440),
          snapshot: encodeSnapshot('store', A_STORES_DAY),
        });
      }
    }
  }
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await mapLimit([...items.values()], 4, async (item) => {
    await client.send(
      new PutItemCommand({
        TableName: options.table,
        Item: {
          pk: { S: item.pk },
          sk: { S: item.sk },
          kind: { S: 'rollup' },
          updatedAt: { S: new Date().toISOString() },
          ...Object.fromEntries(
            [...item.entries].map(([id, entry]) => [
              `${CONTRIBUTOR_PREFIX}${id}`,
              { S: contributorValue(entry) },
            ]),
          ),
        },
      }),
    );
  });
  client.destroy();
  return others;
}
