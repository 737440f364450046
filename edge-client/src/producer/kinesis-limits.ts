import { chunkBySize } from '../utils/chunk-by-size.js';
import { KINESIS_LIMITS } from '../wire/index.js';

export interface Entry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

export const entryBytes = (e: Entry) => e.data.byteLength + Buffer.byteLength(e.partitionKey);

/**
 * Splits entries into PutRecords requests that respect the count and byte limits, keeping
 * order. An entry over the per-record limit cannot be sent at all: the caller must reject it
 * before it gets here, so this throws rather than silently dropping it.
 */
export function chunkForPutRecords<T extends Entry>(
  entries: readonly T[],
  limits = KINESIS_LIMITS,
): T[][] {
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (size > limits.bytesPerRecord)
      throw new RangeError(`record of ${size} bytes exceeds the Kinesis record limit`);
  }
  return chunkBySize(entries, entryBytes, {
    count: limits.recordsPerRequest,
    bytes: limits.bytesPerRequest,
  });
}
