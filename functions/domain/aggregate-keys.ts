/**
 * Keys of the aggregate table: one table, `pk`/`sk` strings.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | store slot (home) | `STORE#{storeId}` | `SLOT#{date}T{HH:MM}` |
 * | store day (summary of its slots) | `STORE#{storeId}` | `DAY#{date}` |
 * | team week part k (home) | `TEAM#{teamId}` | `PART#{isoWeek}#{k}` |
 * | team week (summary of its parts) | `TEAM#{teamId}` | `WEEK#{isoWeek}` |
 * | organisation day rollup, shard k | `ROLLUP#ORG#DAY#{k}` | `{date}` |
 * | region day rollup, shard k | `ROLLUP#REGION#{region}#DAY#{k}` | `{date}` |
 * | organisation week rollup, shard k | `ROLLUP#ORG#WEEK#{k}` | `{isoWeek}` |
 * | organisation day totals, shard k | `TOTALS#ORG#DAY` | `{date}#{k}` |
 * | region day totals, shard k | `TOTALS#REGION#{region}#DAY` | `{date}#{k}` |
 *
 * Events land in exactly one *home* item. A store's detections are homed in the
 * `SLOT_MINUTES`-long slot of the store's local day in which they were made, so that the
 * per-detection join state of a busy store day is spread over many small items (DynamoDB
 * caps an item at 400 KB and bills a write by the whole item's size). Each slot feeds its
 * store day, a *summary* item that holds the day's totals. A team week's incidents are spread
 * the same way, over `TEAM_WEEK_PARTS` parts by a hash of the incident id (so every report of
 * one incident meets in one item), and each part feeds its team week. Store
 * days and team weeks (the summaries) feed the rollups. Every arrow carries versioned deltas (see commit-aggregates.ts). Rollups are
 * sharded by a hash of the contributing store or team, so no single item is written by
 * every batch, and a period query reads `days x shards` items instead of `days x stores`.
 * Changing a shard count re-homes contributions: it needs a rebuild, so they are constants.
 */

export const ORG_ROLLUP_SHARDS = 8;
/** Length of a store slot: each store day is split into 96 home items. Must divide 60. */
export const SLOT_MINUTES = 15;
export const REGION_ROLLUP_SHARDS = 4;
/** Parts a team week's incidents are homed in, by a hash of the incident id. */
export const TEAM_WEEK_PARTS = 16;

export type HomeKey =
  | {
      readonly kind: 'store-slot';
      readonly storeId: string;
      readonly date: string;
      /** Local start time of the slot, `HH:MM`. */
      readonly slot: string;
    }
  | {
      readonly kind: 'team-part';
      readonly teamId: string;
      readonly week: string;
      /** `0 .. TEAM_WEEK_PARTS - 1`: `shardOf(incidentId, TEAM_WEEK_PARTS)`. */
      readonly part: number;
    };

/**
 * An item that adds up home items and contributes to rollups: a store day (the sum of its
 * slots, contributing to the day rollups) or a team week (the sum of its hours, contributing
 * to the week rollups).
 */
export type SummaryKey =
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

/** Identifies one contributor's version in one rollup item: what loadRollupVersions keys by. */
export const rollupVersionId = (target: RollupTarget) =>
  `${target.pk}|${target.sk}|${target.contributor}`;

export function homeItemKey(key: HomeKey): ItemKey {
  return key.kind === 'store-slot'
    ? { pk: `STORE#${key.storeId}`, sk: `SLOT#${key.date}T${key.slot}` }
    : { pk: `TEAM#${key.teamId}`, sk: `PART#${key.week}#${String(key.part).padStart(2, '0')}` };
}

/** What a summary item's sort key puts before its period (a date or an ISO week). */
const SUMMARY_SK_PREFIX = { 'store-day': 'DAY#', 'team-week': 'WEEK#' } as const satisfies Record<
  SummaryKey['kind'],
  string
>;

export function summaryItemKey(key: SummaryKey): ItemKey {
  return key.kind === 'store-day'
    ? { pk: `STORE#${key.storeId}`, sk: `${SUMMARY_SK_PREFIX[key.kind]}${key.date}` }
    : { pk: `TEAM#${key.teamId}`, sk: `${SUMMARY_SK_PREFIX[key.kind]}${key.week}` };
}

/** The summary items of one partition whose sort keys lie in `fromSk ..= toSk`. */
export interface ItemRange {
  readonly pk: string;
  readonly fromSk: string;
  readonly toSk: string;
}

/** One store's days `from ..= to`, or one team's weeks: the key range to query. */
export function summaryRange(from: SummaryKey, to: SummaryKey): ItemRange {
  const first = summaryItemKey(from);
  const last = summaryItemKey(to);
  if (first.pk !== last.pk) throw new RangeError('a summary range spans one store or one team');
  return { pk: first.pk, fromSk: first.sk, toSk: last.sk };
}

/** The date or ISO week a summary item's sort key names: the inverse of summaryItemKey's `sk`. */
export const summaryPeriodOf = (kind: SummaryKey['kind'], sk: string): string =>
  sk.slice(SUMMARY_SK_PREFIX[kind].length);

/** The summary a home feeds: a store slot its store day, a team week part its team week. */
export function summaryOf(key: HomeKey): SummaryKey {
  return key.kind === 'store-slot'
    ? { kind: 'store-day', storeId: key.storeId, date: key.date }
    : { kind: 'team-week', teamId: key.teamId, week: key.week };
}

/** The name under which a home contributes to its summary: its slot, or its part. */
export function contributorOf(key: HomeKey): string {
  return key.kind === 'store-slot' ? key.slot : String(key.part);
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

/**
 * The totals copy of a day rollup shard: the same counters without the contributors' entries,
 * so that a query for totals reads a few hundred bytes per shard and day instead of the whole
 * rollup item (DynamoDB bills a read by the size of the items it returns). All shards of one
 * scope share a partition, so one Query reads a period: sort key `{date}#{k}`.
 */
export const orgDayTotalsPk = 'TOTALS#ORG#DAY';
export const regionDayTotalsPk = (region: string) => `TOTALS#REGION#${region}#DAY`;

const DAY_ROLLUP_PK = /^ROLLUP#(ORG|REGION#.+)#DAY#(\d+)$/;

/** The totals item of a day rollup shard; undefined for week rollups, which have none. */
export function totalsKeyOf(rollup: ItemKey): ItemKey | undefined {
  const match = DAY_ROLLUP_PK.exec(rollup.pk);
  if (match === null) return undefined;
  return { pk: `TOTALS#${match[1]}#DAY`, sk: `${rollup.sk}#${match[2]}` };
}

/** The sort keys of every shard's totals for the dates `from ..= to`, to query. */
export const totalsRange = (pk: string, from: string, to: string): ItemRange => ({
  pk,
  fromSk: `${from}#`,
  toSk: `${to}#~`,
});

/** The date a totals item's sort key names. */
export const totalsDateOf = (sk: string): string => sk.slice(0, sk.indexOf('#'));

/**
 * Where a store day or team week rolls up to: its store's region (none for a team week), and
 * whether it is test data (a test store's, StoreInfo.test), which rolls up nowhere.
 */
export interface RollupScope {
  readonly region: string | undefined;
  readonly test: boolean;
}

/** The rollup items a store day or a team week feeds: none for test data. */
export function rollupTargetsOf(key: SummaryKey, { region, test }: RollupScope): RollupTarget[] {
  if (test) return [];
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

/** One store's slots of its local days `from ..= to`: the key range to query (no day items). */
export function storeSlotRange(storeId: string, from: string, to: string): ItemRange {
  const first = homeItemKey({ kind: 'store-slot', storeId, date: from, slot: '00:00' });
  const last = homeItemKey({ kind: 'store-slot', storeId, date: to, slot: '23:59' });
  return { pk: first.pk, fromSk: first.sk, toSk: last.sk };
}

/** The local date and slot time a store slot's sort key names; undefined for any other key. */
export function slotOfSk(sk: string): { date: string; slot: string } | undefined {
  const match = /^SLOT#(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(sk);
  return match === null ? undefined : { date: match[1] as string, slot: match[2] as string };
}
