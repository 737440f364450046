import { type Item, SNAPSHOT_PREFIX, VERSION_PREFIX } from './item-codec.js';

/**
 * How a rollup item (an organisation or region day shard, an organisation week shard) stores
 * its contributors: for each store day (or team week) it has added, the version it has
 * absorbed and that contributor's figures at that version (its snapshot, snapshots.ts).
 *
 * Every batch of every Kinesis shard rewrites the rollup items its stores feed, and DynamoDB
 * bills a write by the whole item, so at a fleet's size these entries are much of the
 * pipeline's write units: an organisation day shard of the reference fleet holds some 1,300
 * stores. Each contributor is one attribute, `c:{id}`, holding `{version}|{snapshot}` with the
 * snapshot's figures in base 36: about 45 bytes a store, against about 67 for the earlier
 * layout's two attributes (`v:{id}`, the version as a number, and `s:{id}`, the snapshot in
 * decimal).
 *
 * One attribute per contributor, not one packed value for all: a rollup write stays an
 * `UpdateItem` that adds the counters and sets only its own contributors, conditional on each
 * of those (`begins_with(c:{id}, "{fromVersion}|")`), so invocations of different Kinesis
 * shards that add different stores to one item never conflict. (A packed value would make
 * every write a read-modify-write of the whole item, and racing shards would retry each
 * other's writes.)
 *
 * Items of the earlier layout are still read; a write moves each contributor it sets to the
 * new attribute and removes its old two.
 */

/** Prefix of a contributor's attribute: `c:{id}` = `{version}|{snapshot in base 36}`. */
export const CONTRIBUTOR_PREFIX = 'c:';

export interface ContributorEntry {
  readonly version: number;
  /** The snapshot as snapshots.ts encodes it (decimal figures, comma-separated). */
  readonly snapshot: string;
}

const radix = (snapshot: string, from: number, to: number) =>
  snapshot === ''
    ? ''
    : snapshot
        .split(',')
        .map((figure) => Number.parseInt(figure, from).toString(to))
        .join(',');

/** The value of a contributor's `c:{id}` attribute. */
export function contributorValue(entry: ContributorEntry): string {
  return `${entry.version}|${radix(entry.snapshot, 10, 36)}`;
}

/** The prefix a contributor's attribute has at `version` (for the write's condition). */
export const versionPrefix = (version: number): string => `${version}|`;

function readValue(id: string, value: string): ContributorEntry {
  const bar = value.indexOf('|');
  const version = Number(value.slice(0, bar));
  const snapshot = radix(value.slice(bar + 1), 36, 10);
  if (bar < 1 || !Number.isInteger(version) || snapshot.includes('NaN')) {
    throw new Error(`rollup contributor ${id} holds an unreadable value: ${value.slice(0, 40)}`);
  }
  return { version, snapshot };
}

/** A rollup item's contributors, from either layout (the new attribute wins where both are). */
export function unpackContributors(item: Readonly<Item>): Map<string, ContributorEntry> {
  const out = new Map<string, ContributorEntry>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(VERSION_PREFIX) || value.N === undefined) continue;
    const id = name.slice(VERSION_PREFIX.length);
    out.set(id, { version: Number(value.N), snapshot: item[`${SNAPSHOT_PREFIX}${id}`]?.S ?? '' });
  }
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(CONTRIBUTOR_PREFIX) || value.S === undefined) continue;
    const id = name.slice(CONTRIBUTOR_PREFIX.length);
    out.set(id, readValue(id, value.S));
  }
  return out;
}
