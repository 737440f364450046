import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Item, SNAPSHOT_PREFIX, VERSION_PREFIX } from './item-codec.js';
import {
  byFirst,
  PackedAttributeError,
  packAttribute,
  unpackAttribute,
} from './packed-attribute.js';

/**
 * How a rollup item (an organisation or region day shard, an organisation week shard) stores
 * its contributors: for each store day (or team week) it has added, the version it has
 * absorbed and that contributor's figures at that version (its snapshot, snapshots.ts).
 *
 * Every batch of every Kinesis shard rewrites the rollup items its stores feed, and DynamoDB
 * bills a write by the whole item, so at a fleet's size these entries are much of the
 * pipeline's write units: an organisation day shard of the reference fleet holds some 1,300
 * stores. They are kept in one packed attribute (packed-attribute.ts), `contributors`:
 * `{"layout":1,"entries":[[contributor, version, snapshot], ...]}`, sorted by contributor. 1,312 stores' entries take about 32 KB packed against
 * about 90 KB as attributes of their own.
 *
 * The item's counters stay top-level number attributes (the API reads them), and `rev` counts
 * its writes: a write is a put conditional on the `rev` it read, so two invocations that add
 * different contributors to one item at once cannot lose each other's entries.
 *
 * Items written before this layout hold each contributor as two attributes, `v:{id}` (version)
 * and `s:{id}` (snapshot); they are still read, and the next write of the item packs them.
 */

const PACKED_LAYOUT = 1;

export interface ContributorEntry {
  readonly version: number;
  readonly snapshot: string;
}

/** The `contributors` attribute for a rollup item's entries. Deterministic. */
export function packContributors(entries: ReadonlyMap<string, ContributorEntry>): AttributeValue {
  return packAttribute(PACKED_LAYOUT, {
    entries: [...entries].sort(byFirst).map(([id, e]) => [id, e.version, e.snapshot]),
  });
}

/** A rollup item's contributors: from `contributors`, or from the earlier layout's attributes. */
export function unpackContributors(item: Readonly<Item>): Map<string, ContributorEntry> {
  const packed = item.contributors?.B;
  const out = new Map<string, ContributorEntry>();
  if (packed === undefined) {
    for (const [name, value] of Object.entries(item)) {
      if (!name.startsWith(VERSION_PREFIX) || value.N === undefined) continue;
      const id = name.slice(VERSION_PREFIX.length);
      out.set(id, {
        version: Number(value.N),
        snapshot: item[`${SNAPSHOT_PREFIX}${id}`]?.S ?? '',
      });
    }
    return out;
  }
  const { entries } = unpackAttribute(packed, PACKED_LAYOUT, 'rollup contributors');
  for (const entry of Array.isArray(entries) ? entries : [undefined]) {
    if (
      !Array.isArray(entry) ||
      typeof entry[0] !== 'string' ||
      typeof entry[1] !== 'number' ||
      typeof entry[2] !== 'string'
    ) {
      throw new PackedAttributeError('a rollup contributor entry is not [id, version, snapshot]');
    }
    out.set(entry[0], { version: entry[1], snapshot: entry[2] });
  }
  return out;
}
