import { gunzipSync, gzipSync } from 'node:zlib';
import { boundedInflate } from './bounded-inflate.js';
import { MAX_INFLATED_BYTES } from './limits.js';

/**
 * Gzip for aggregated records: the format the edge client wrote before dictionary-deflate.ts,
 * and one any producer can write with a stock library; the processor reads it forever. Level
 * 6 is zlib's default trade of time for size.
 */
export const gzipRecord = (data: Uint8Array): Buffer => gzipSync(data, { level: 6 });

/** Whether a record's data starts with the gzip magic. */
export const isGzip = (data: Uint8Array): boolean =>
  data.byteLength > 2 && data[0] === 0x1f && data[1] === 0x8b;

/**
 * Inflates a gzip record, never past `maxBytes` (the Kinesis record limit by default): one
 * that would throws InflateLimitError; corrupt gzip throws zlib's error.
 */
export const inflateRecord = (data: Uint8Array, maxBytes = MAX_INFLATED_BYTES): Buffer =>
  boundedInflate((maxOutputLength) => gunzipSync(data, { maxOutputLength }), maxBytes);
