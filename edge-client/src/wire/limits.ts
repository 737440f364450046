import { MAX_ENVELOPE_BYTES } from './signed-envelope.js';

/** Kinesis PutRecords limits (service quotas that cannot be raised). */
export const KINESIS_LIMITS = {
  recordsPerRequest: 500,
  bytesPerRequest: 5 * 1024 * 1024,
  /** Data plus partition key, per record. */
  bytesPerRecord: 1024 * 1024,
  partitionKeyMaxChars: 256,
} as const;

/*
 * Limits on the work one Kinesis record can cause, derived from what an honest producer (the
 * edge client's record builder, or the KPL) can send:
 *
 * - A Kinesis record is at most 1 MiB (data plus partition key), and the record builder caps
 *   an aggregate *before* compression at min(maxAggregateBytes, 1 MiB - 256)
 *   (MAX_AGGREGATE_BYTES): the default is 51,200 bytes, the largest setting stays under 1 MiB.
 *   So no honest record inflates past 1 MiB; a gzip record that does is refused whole
 *   (MAX_INFLATED_BYTES).
 * - The smallest event the contract accepts is 242 bytes of JSON (a detection_outcome with
 *   one-character identifiers, seq 0 and `recovered`: every other field has a fixed minimum
 *   length); SMALLEST_EVENT_BYTES rounds that down to 240 (a unit test builds it). An
 *   aggregate of at most 1 MiB therefore holds at most 1,048,576 / 240 = 4,369 honest user
 *   records (fewer in truth: each also costs ~8 bytes of framing), and 213 at the default
 *   51,200 bytes. An aggregate holding more is refused whole (MAX_USER_RECORDS), counted in
 *   one pass that decodes none of them, with its count.
 */

/**
 * The largest aggregate before compression: a record's limit, less the longest partition key
 * and the largest signed envelope (signed-envelope.ts).
 */
export const MAX_AGGREGATE_BYTES =
  KINESIS_LIMITS.bytesPerRecord - KINESIS_LIMITS.partitionKeyMaxChars - MAX_ENVELOPE_BYTES;
/** The most bytes a gzipped record may inflate to: the Kinesis record limit (see above). */
export const MAX_INFLATED_BYTES = KINESIS_LIMITS.bytesPerRecord;
/** A lower bound on a serialized event the contract accepts (the smallest is 242 bytes). */
export const SMALLEST_EVENT_BYTES = 240;
/** The most user records an honest aggregate can hold: 4,369 (see above). */
export const MAX_USER_RECORDS = Math.floor(KINESIS_LIMITS.bytesPerRecord / SMALLEST_EVENT_BYTES);
