import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * One binary attribute holding an item's bookkeeping (what makes its updates exactly-once),
 * which is most of an item's bytes: DynamoDB bills a write by the whole item. The value is raw
 * DEFLATE (RFC 1951) of the JSON `{"layout": n, ...fields}`; writers sort what they put in
 * it, so equal state packs to equal bytes. Readers name the layout they read and get a clear
 * error for any other (a newer release's item, or corrupt bytes), never a guess.
 */

/**
 * Largest inflated value: inflating stops there instead of filling memory. Real bookkeeping
 * compresses 2 to 20 times, but a sender that picks its ids (ULIDs in order, the longest
 * identifiers repeated in every join) can make it compress 45 times, so a value under the
 * 400 KB item limit could inflate past this bound. The writer therefore enforces it too
 * (PackedTooLargeError): no value is written that a reader would refuse.
 */
export const MAX_UNPACKED_BYTES = 4 * 1024 * 1024;

/** A packed attribute this code cannot read: corrupt, or of a layout it does not know. */
export class PackedAttributeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedAttributeError';
  }
}

/**
 * A value past MAX_UNPACKED_BYTES, refused before it is written: like an item past DynamoDB's
 * 400 KB, permanent for that item (the processor dead-letters its events, isItemTooLarge).
 */
export class PackedTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`packed value of ${bytes} bytes is past the item size its readers take`);
    this.name = 'PackedTooLargeError';
  }
}

export function packAttribute(layout: number, fields: Readonly<Record<string, unknown>>) {
  const json = Buffer.from(JSON.stringify({ layout, ...fields }), 'utf8');
  if (json.byteLength > MAX_UNPACKED_BYTES) throw new PackedTooLargeError(json.byteLength);
  return { B: deflateRawSync(json) } satisfies AttributeValue;
}

/** The fields of a packed value of `layout`; `what` names it in errors. */
export function unpackAttribute(
  value: Uint8Array,
  layout: number,
  what: string,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      inflateRawSync(value, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8'),
    );
  } catch (error) {
    throw new PackedAttributeError(`unreadable ${what}: ${(error as Error).message}`);
  }
  const found = (parsed as { layout?: unknown } | null)?.layout;
  if (found !== layout) {
    throw new PackedAttributeError(
      `${what} of layout ${String(found)}; this code reads layout ${layout}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Sorts `[key, ...]` entries by key, for deterministic packing. */
export const byFirst = (a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** Whether `value` is a list of [string, string] pairs. */
export function isStringPairs(value: unknown): value is [string, string][] {
  return (
    Array.isArray(value) &&
    value.every(
      (p) =>
        Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
    )
  );
}

/** Whether `value` is an object of finite numbers (counters). */
export function isNumberRecord(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

/** Counters with their names sorted, for deterministic packing. */
export const sortedRecord = (record: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(record).sort(byFirst));
