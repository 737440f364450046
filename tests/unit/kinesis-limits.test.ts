import { describe, expect, it } from 'vitest';
import { KINESIS_LIMITS } from '#wire';
import { chunkForPutRecords, entryBytes } from '../../edge-client/src/producer/kinesis-limits.js';

const entry = (bytes: number, key = 'device-1') => ({
  data: new Uint8Array(bytes),
  partitionKey: key,
});

describe('Function: chunkForPutRecords', () => {
  it('puts at most 500 records in one request', () => {
    const chunks = chunkForPutRecords(Array.from({ length: 1_201 }, () => entry(10)));
    expect(chunks.map((c) => c.length)).toEqual([500, 500, 201]);
  });

  it('keeps each request within 5 MiB, partition keys included', () => {
    const big = Array.from({ length: 12 }, () => entry(1024 * 1024 - 100));
    const chunks = chunkForPutRecords(big);
    for (const c of chunks)
      expect(c.reduce((s, e) => s + entryBytes(e), 0)).toBeLessThanOrEqual(
        KINESIS_LIMITS.bytesPerRequest,
      );
    expect(chunks.flat()).toHaveLength(12);
  });

  it('keeps order', () => {
    const entries = Array.from({ length: 700 }, (_, i) => entry(1, `k${i}`));
    expect(
      chunkForPutRecords(entries)
        .flat()
        .map((e) => e.partitionKey),
    ).toEqual(entries.map((e) => e.partitionKey));
  });

  it('refuses a record over 1 MiB rather than dropping it', () => {
    expect(() => chunkForPutRecords([entry(1024 * 1024)])).toThrow(RangeError);
  });
});
