import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_INFLATED_BYTES } from './limits.js';

/**
 * Gzip for aggregated records. Events are small JSON with repeated keys, so this cuts the
 * bytes Kinesis bills several times over; level 6 is zlib's default trade of time for size.
 */
export const gzipRecord = (data: Uint8Array): Buffer => gzipSync(data, { level: 6 });

/** Whether a record's data starts with the gzip magic. */
export const isGzip = (data: Uint8Array): boolean =>
  data.byteLength > 2 && data[0] === 0x1f && data[1] === 0x8b;

/** A gzip record that inflates past MAX_INFLATED_BYTES: refused before more is inflated. */
export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`gzip record inflates past ${limit} bytes`);
    this.name = 'InflateLimitError';
  }
}

/**
 * Inflates a gzip record, never past `maxBytes` (the Kinesis record limit by default): one
 * that would throws InflateLimitError; corrupt gzip throws zlib's error.
 */
export function inflateRecord(data: Uint8Array, maxBytes = MAX_INFLATED_BYTES): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflateLimitError(maxBytes);
    }
    throw error;
  }
}
