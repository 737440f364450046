import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SeqIntervals } from '#domain/seq-intervals';
import { readStringMap } from './item-codec.js';

/**
 * How a home item (store slot, team week part) stores what makes its updates exactly-once:
 * `seen` (per device, the seq intervals counted) and `joins` (per detection or incident, what
 * has been counted of it).
 *
 * DynamoDB bills a write by the whole item, and a home is rewritten by every batch that touches
 * it, so these bytes are most of the pipeline's write units. They are kept in one binary
 * attribute, `packed`: raw DEFLATE (RFC 1951) of the JSON
 * `{"seen":[[deviceId,"1-40,42"],...],"joins":[[id,"estimate|outcome|recovered"],...]}`,
 * both lists sorted by their first element, so equal state always packs to equal bytes. A
 * 15-minute slot of 300 detections from 40 lanes packs its 15.7 KB of maps to about 6.8 KB:
 * the random part of each detection's ULID is most of what is left.
 *
 * Items written before this layout hold `seen` and `joins` as DynamoDB maps of strings; they
 * are still read, and the next write of the item packs them.
 */

/** The layout's version, inside the packed JSON, so that a later layout can tell it apart. */
const PACKED_LAYOUT = 1;

/**
 * Largest inflated `packed` attribute. An item is at most 400 KB and these maps compress about
 * 2.3 times, so 4 MiB is far past any item DynamoDB can hold: a value past it is corrupt, and
 * inflating stops there instead of filling memory.
 */
export const MAX_UNPACKED_BYTES = 4 * 1024 * 1024;

export interface HomeIdempotency {
  readonly seen: ReadonlyMap<string, SeqIntervals>;
  readonly joins: ReadonlyMap<string, string>;
}

const byKey = (a: readonly [string, string], b: readonly [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** The `packed` attribute for a home's seen and joins. Deterministic. */
export function packHomeState(state: HomeIdempotency): AttributeValue {
  const json = JSON.stringify({
    layout: PACKED_LAYOUT,
    seen: [...state.seen].map(([device, s]) => [device, s.toString()] as const).sort(byKey),
    joins: [...state.joins].sort(byKey),
  });
  return { B: deflateRawSync(json) };
}

/** Thrown for a `packed` attribute this code cannot read (corrupt, or a newer layout). */
export class PackedStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedStateError';
  }
}

/** Reads a home's seen and joins: from `packed`, or from the maps of the earlier layout. */
export function unpackHomeState(item: Readonly<Record<string, AttributeValue>>): {
  seen: Map<string, SeqIntervals>;
  joins: Map<string, string>;
} {
  const packed = item.packed?.B;
  if (packed === undefined) {
    return {
      seen: new Map([...readStringMap(item.seen)].map(([d, s]) => [d, SeqIntervals.parse(s)])),
      joins: readStringMap(item.joins),
    };
  }
  let parsed: { layout?: unknown; seen?: unknown; joins?: unknown };
  try {
    parsed = JSON.parse(
      inflateRawSync(packed, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8'),
    );
  } catch (error) {
    throw new PackedStateError(`unreadable packed home state: ${(error as Error).message}`);
  }
  if (parsed.layout !== PACKED_LAYOUT || !isPairs(parsed.seen) || !isPairs(parsed.joins)) {
    throw new PackedStateError(
      `packed home state of layout ${String(parsed.layout)}; this code reads layout ${PACKED_LAYOUT}`,
    );
  }
  return {
    seen: new Map(parsed.seen.map(([d, s]) => [d, SeqIntervals.parse(s)])),
    joins: new Map(parsed.joins),
  };
}

function isPairs(value: unknown): value is [string, string][] {
  return (
    Array.isArray(value) &&
    value.every(
      (p) =>
        Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
    )
  );
}
