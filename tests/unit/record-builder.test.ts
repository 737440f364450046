import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAggregate, KINESIS_LIMITS } from '#wire';
import { buildRecords } from '../../edge-client/src/aggregation/record-builder.js';
import { hashKeyOf, ShardMap } from '../../edge-client/src/aggregation/shard-map.js';
import { chunkForPutRecords, entryBytes } from '../../edge-client/src/producer/kinesis-limits.js';

interface Item {
  readonly id: number;
  readonly key: string;
  readonly size: number;
}

const items = fc
  .array(
    fc.record({
      key: fc.constantFrom('panel-a', 'panel-b', 'panel-c', 'panel-d', 'agent-x'),
      size: fc.integer({ min: 1, max: 4_000 }),
    }),
    { minLength: 1, maxLength: 400 },
  )
  .map((list) => list.map((item, id) => ({ ...item, id })));

const toUser = (item: Item) => ({
  partitionKey: item.key,
  data: Buffer.from(JSON.stringify({ id: item.id, pad: 'x'.repeat(item.size) })),
});

const TWO_SHARDS = ShardMap.fromShards([
  {
    ShardId: 'shard-0',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 127n - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  },
  {
    ShardId: 'shard-1',
    HashKeyRange: { StartingHashKey: String(2n ** 127n), EndingHashKey: String(2n ** 128n - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  },
]);

describe('Function: buildRecords', () => {
  it('keeps every item exactly once, each aggregate under its size limit', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 5_000, max: 60_000 }), (list, maxAggregateBytes) => {
        const records = buildRecords(list, toUser, TWO_SHARDS, {
          maxAggregateBytes,
          compress: false,
        });
        expect(records.flatMap((r) => r.items.map((i) => i.id)).sort((a, b) => a - b)).toEqual(
          list.map((i) => i.id),
        );
        for (const r of records) {
          if (r.aggregated) expect(r.data.byteLength).toBeLessThanOrEqual(maxAggregateBytes);
          const decoded = r.aggregated
            ? decodeAggregate(r.data).map((u) => u.partitionKey)
            : [r.partitionKey];
          expect(decoded).toEqual(r.items.map((i) => i.key));
        }
      }),
    );
  });

  it('never mixes partition keys bound for different shards in one aggregate', () => {
    fc.assert(
      fc.property(items, (list) => {
        for (const r of buildRecords(list, toUser, TWO_SHARDS)) {
          const shards = new Set(r.items.map((i) => TWO_SHARDS.shardFor(i.key)));
          expect(shards.size).toBe(1);
          expect(TWO_SHARDS.shardFor(r.partitionKey)).toBe([...shards][0]);
        }
      }),
    );
  });

  it('groups by partition key when no shard map is available', () => {
    for (const r of buildRecords(
      [
        { id: 0, key: 'a', size: 1 },
        { id: 1, key: 'b', size: 1 },
        { id: 2, key: 'a', size: 1 },
      ],
      toUser,
      undefined,
    )) {
      expect(new Set(r.items.map((i) => i.key)).size).toBe(1);
    }
  });

  it('sends one record per item when aggregation is off', () => {
    const list = [
      { id: 0, key: 'a', size: 1 },
      { id: 1, key: 'a', size: 1 },
    ];
    expect(
      buildRecords(list, toUser, undefined, { aggregate: false }).map((r) => r.aggregated),
    ).toEqual([false, false]);
  });

  it('produces PutRecords requests within the record-count and byte limits', () => {
    fc.assert(
      fc.property(items, (list) => {
        for (const request of chunkForPutRecords(
          buildRecords(list, toUser, TWO_SHARDS, { aggregate: false }),
        )) {
          expect(request.length).toBeLessThanOrEqual(KINESIS_LIMITS.recordsPerRequest);
          expect(request.reduce((s, r) => s + entryBytes(r), 0)).toBeLessThanOrEqual(
            KINESIS_LIMITS.bytesPerRequest,
          );
        }
      }),
    );
  });

  it('maps partition keys to shards by the MD5 of the key', () => {
    expect(hashKeyOf('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
    expect(TWO_SHARDS.shardFor('a')).toBe('shard-0');
  });
});
