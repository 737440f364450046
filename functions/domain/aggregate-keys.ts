/**
 * Keys of the aggregate table: one table, `pk`/`sk` strings.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | store day (home) | `STORE#{storeId}` | `DAY#{date}` |
 * | team week (home) | `TEAM#{teamId}` | `WEEK#{isoWeek}` |
 * | organisation day rollup, shard k | `ROLLUP#ORG#DAY#{k}` | `{date}` |
 * | region day rollup, shard k | `ROLLUP#REGION#{region}#DAY#{k}` | `{date}` |
 * | organisation week rollup, shard k | `ROLLUP#ORG#WEEK#{k}` | `{isoWeek}` |
 *
 * Events land in exactly one *home* item; rollups receive each home's deltas. Rollups are
 * sharded by a hash of the contributing store or team, so no single item is written by
 * every batch, and a period query reads `days x shards` items instead of `days x stores`.
 * Changing a shard count re-homes contributions: it needs a rebuild, so they are constants.
 */

export const ORG_ROLLUP_SHARDS = 8;
export const REGION_ROLLUP_SHARDS = 4;

export type HomeKey =
  | { readonly kind: 'store-day'; readonly storeId: string; readonly date: string }
  | { readonly kind: 'team-week'; readonly teamId: string; readonly week: string };

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** A rollup item a home contributes to, and the name under which it contributes. */
export interface RollupTarget extends ItemKey {
  readonly contributor: string;
  /** The contributor's figures are kept in the item too (see snapshots.ts). */
  readonly snapshot: 'store' | 'team';
}

export function homeItemKey(key: HomeKey): ItemKey {
  return key.kind === 'store-day'
    ? { pk: `STORE#${key.storeId}`, sk: `DAY#${key.date}` }
    : { pk: `TEAM#${key.teamId}`, sk: `WEEK#${key.week}` };
}

/** Stable string id of an item key, for maps. */
export function itemId(key: ItemKey): string {
  return `${key.pk}|${key.sk}`;
}

/** FNV-1a 32-bit: a stable, dependency-free hash for shard assignment. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function shardOf(id: string, shards: number): number {
  return fnv1a(id) % shards;
}

export const orgDayPk = (shard: number) => `ROLLUP#ORG#DAY#${shard}`;
export const regionDayPk = (region: string, shard: number) =>
  `ROLLUP#REGION#${region}#DAY#${shard}`;
export const orgWeekPk = (shard: number) => `ROLLUP#ORG#WEEK#${shard}`;

/** The rollup items a home item feeds. */
export function rollupTargetsOf(key: HomeKey, region: string | undefined): RollupTarget[] {
  if (key.kind === 'team-week') {
    const shard = shardOf(key.teamId, ORG_ROLLUP_SHARDS);
    return [{ pk: orgWeekPk(shard), sk: key.week, contributor: key.teamId, snapshot: 'team' }];
  }
  const targets: RollupTarget[] = [
    {
      pk: orgDayPk(shardOf(key.storeId, ORG_ROLLUP_SHARDS)),
      sk: key.date,
      contributor: key.storeId,
      snapshot: 'store',
    },
  ];
  if (region !== undefined) {
    targets.push({
      pk: regionDayPk(region, shardOf(key.storeId, REGION_ROLLUP_SHARDS)),
      sk: key.date,
      contributor: key.storeId,
      snapshot: 'store',
    });
  }
  return targets;
}
