import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AggregateFormatError,
  AggregateLimitError,
  aggregatedSizeOf,
  decodeAggregate,
  encodeAggregate,
  isAggregated,
  KPL_MAGIC,
} from '../../edge-client/src/aggregation/kpl-format.js';

const userRecord = fc.record({
  partitionKey: fc.string({ minLength: 1, maxLength: 64 }),
  data: fc.uint8Array({ maxLength: 2_000 }),
});

describe('Format: KPL aggregated record', () => {
  it('round-trips any list of user records, in order', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 60 }), (records) => {
        const decoded = decodeAggregate(encodeAggregate(records));
        expect(decoded.map((r) => [r.partitionKey, Buffer.from(r.data).toString('hex')])).toEqual(
          records.map((r) => [r.partitionKey, Buffer.from(r.data).toString('hex')]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('starts with the KPL magic and ends with the MD5 of the protobuf body', () => {
    const encoded = encodeAggregate([{ partitionKey: 'a', data: Buffer.from('x') }]);
    expect(encoded.subarray(0, 4)).toEqual(KPL_MAGIC);
    const body = encoded.subarray(4, encoded.byteLength - 16);
    expect(encoded.subarray(encoded.byteLength - 16)).toEqual(
      createHash('md5').update(body).digest(),
    );
    expect(isAggregated(encoded)).toBe(true);
    expect(isAggregated(Buffer.from('{"type":"detection"}'))).toBe(false);
  });

  it('keeps its size estimate an upper bound of the encoded size', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 40 }), (records) => {
        const seen = new Set<string>();
        const estimate = records.reduce((sum, r) => {
          const size = aggregatedSizeOf(r, !seen.has(r.partitionKey));
          seen.add(r.partitionKey);
          return sum + size;
        }, 20);
        expect(encodeAggregate(records).byteLength).toBeLessThanOrEqual(estimate);
      }),
    );
  });

  it('rejects any single-byte corruption instead of half-reading it', () => {
    const encoded = encodeAggregate([
      { partitionKey: 'device-1', data: Buffer.from('{"a":1}') },
      { partitionKey: 'device-2', data: Buffer.from('{"b":2}') },
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: encoded.byteLength - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const damaged = Buffer.from(encoded);
          damaged[at] = (damaged[at] as number) ^ flip;
          expect(() => decodeAggregate(damaged)).toThrow(AggregateFormatError);
        },
      ),
    );
  });

  it('never throws anything but AggregateFormatError on arbitrary bytes after the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 300 }), (tail) => {
        const bytes = Buffer.concat([KPL_MAGIC, tail]);
        try {
          decodeAggregate(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(AggregateFormatError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('Format: KPL aggregate limits', () => {
  const tiny = (n: number) =>
    encodeAggregate(
      Array.from({ length: n }, () => ({ partitionKey: 'a', data: Buffer.alloc(0) })),
    );

  it('decodes an aggregate at the limit, and refuses one past it with its entry count', () => {
    expect(decodeAggregate(tiny(50), { maxRecords: 50 })).toHaveLength(50);
    expect(() => decodeAggregate(tiny(51), { maxRecords: 50 })).toThrow(
      expect.objectContaining({ name: 'AggregateLimitError', entries: 51, limit: 50 }),
    );
  });

  it('counts partition-key table entries against the limit too', () => {
    const keys = encodeAggregate(
      Array.from({ length: 60 }, (_, i) => ({ partitionKey: `k${i}`, data: Buffer.alloc(0) })),
    );
    expect(() => decodeAggregate(keys, { maxRecords: 50 })).toThrow(AggregateLimitError);
  });
});
