import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTelemetryJson } from '#contract';
import {
  AggregateFormatError,
  AggregateLimitError,
  aggregatedSizeOf,
  decodeAggregate,
  encodeAggregate,
  gzipRecord,
  isAggregated,
  KINESIS_LIMITS,
  KPL_MAGIC,
  MAX_INFLATED_BYTES,
  MAX_USER_RECORDS,
  openRecord,
  SMALLEST_EVENT_BYTES,
} from '#wire';
import { buildRecords } from '../../edge-client/src/aggregation/record-builder.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import { SHORTEST_EVENTS } from '../helpers/factories.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

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

  it('writes the protobuf byte for byte: key tables, then each record with its hash key index', () => {
    const encoded = encodeAggregate([
      { partitionKey: 'a', data: Buffer.from('x') },
      { partitionKey: 'bb', data: Buffer.alloc(200, 7), explicitHashKey: '9' },
      { partitionKey: 'a', data: Buffer.alloc(0) },
    ]);
    const body = Buffer.concat([
      Buffer.from([0x0a, 1, 0x61, 0x0a, 2, 0x62, 0x62, 0x12, 1, 0x39]),
      Buffer.from([0x1a, 5, 0x08, 0, 0x1a, 1, 0x78]),
      Buffer.from([0x1a, 207, 1, 0x08, 1, 0x10, 0, 0x1a, 200, 1]),
      Buffer.alloc(200, 7),
      Buffer.from([0x1a, 4, 0x08, 0, 0x1a, 0]),
    ]);
    expect(encoded.toString('hex')).toBe(
      Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]).toString('hex'),
    );
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

describe('Function: openRecord', () => {
  it('opens what the producer writes: a plain record, an aggregate, a gzipped aggregate', () => {
    const users = [
      { partitionKey: 'a', data: Buffer.from('one') },
      { partitionKey: 'b', data: Buffer.from('two') },
    ];
    const aggregate = encodeAggregate(users);
    expect(openRecord(Buffer.from('plain'))).toEqual({ kind: 'plain', data: Buffer.from('plain') });
    for (const record of [aggregate, gzipRecord(aggregate)]) {
      const opened = openRecord(record);
      expect(opened).toMatchObject({ kind: 'aggregate', data: aggregate });
      expect(opened.kind === 'aggregate' && opened.users).toEqual(users);
    }
  });

  it('refuses a gzip bomb as oversized, and gzip without an aggregate or torn gzip as corrupt', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(openRecord(bomb)).toMatchObject({
      kind: 'refused',
      why: 'oversized',
      bytes: MAX_INFLATED_BYTES,
    });
    expect(openRecord(gzipSync(Buffer.from('{}')))).toMatchObject({ why: 'corrupt', count: 1 });
    expect(openRecord(gzipSync(Buffer.from('{}')).subarray(0, 12))).toMatchObject({
      why: 'corrupt',
      detail: 'corrupt gzip record',
    });
  });

  it('refuses an aggregate of more than MAX_USER_RECORDS entries whole, with its count', () => {
    const flood = encodeAggregate(
      Array.from({ length: MAX_USER_RECORDS + 1 }, () => ({
        partitionKey: 'a',
        data: Buffer.alloc(0),
      })),
    );
    expect(openRecord(flood)).toMatchObject({
      kind: 'refused',
      why: 'oversized',
      count: MAX_USER_RECORDS + 1,
    });
  });
});

describe('Limits: what an honest producer can send', () => {
  it('has no contract event shorter than SMALLEST_EVENT_BYTES', () => {
    for (const event of SHORTEST_EVENTS) {
      const bytes = json(event);
      expect(parseTelemetryJson(bytes).ok).toBe(true);
      expect(bytes.byteLength).toBeGreaterThanOrEqual(SMALLEST_EVENT_BYTES);
    }
    expect(Math.min(...SHORTEST_EVENTS.map((e) => json(e).byteLength))).toBe(242);
  });

  it('never trips a limit with the largest aggregates the record builder makes', () => {
    // Prepare: the shortest events, in aggregates as large as the builder allows.
    const events = Array.from({ length: 6_000 }, (_, seq) => ({ ...SHORTEST_EVENTS[0], seq }));
    const records = buildRecords(events, (e) => ({ partitionKey: 'a', data: json(e) }), undefined, {
      maxAggregateBytes: KINESIS_LIMITS.bytesPerRecord,
    });

    // Act
    const decoded = records.map((r) => decodeRecord(r.data));

    // Assess
    expect(records.length).toBeGreaterThan(1);
    expect(Math.max(...records.map((r) => r.items.length))).toBeLessThanOrEqual(MAX_USER_RECORDS);
    expect(decoded.flatMap((d) => d.refused)).toEqual([]);
    expect(decoded.reduce((s, d) => s + d.events.length, 0)).toBe(events.length);
    expect(Math.max(...decoded.map((d) => d.inflatedBytes))).toBeLessThanOrEqual(
      MAX_INFLATED_BYTES,
    );
  });
});
