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
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (size > limits.bytesPerRecord)
      throw new RangeError(`record of ${size} bytes exceeds the Kinesis record limit`);
    if (current.length === limits.recordsPerRequest || bytes + size > limits.bytesPerRequest) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
