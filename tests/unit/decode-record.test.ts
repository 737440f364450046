import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeAggregate } from '../../edge-client/src/aggregation/kpl-format.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import { detection } from '../helpers/factories.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('Function: decodeRecord', () => {
  it('decodes a plain JSON record as one event at sub-sequence 0', () => {
    const d = detection();
    expect(decodeRecord(json(d))).toEqual([{ ok: true, subSequenceNumber: 0, event: d }]);
  });

  it('splits a KPL aggregate, plain or gzipped, into its events with their sub-sequence numbers', () => {
    const events = [detection(), detection(), detection()];
    const aggregate = encodeAggregate(
      events.map((e) => ({ partitionKey: e.deviceId, data: json(e) })),
    );
    for (const record of [aggregate, gzipSync(aggregate)]) {
      expect(decodeRecord(record)).toEqual(
        events.map((event, i) => ({ ok: true, subSequenceNumber: i, event })),
      );
    }
  });

  it('rejects only the bad user records of an aggregate', () => {
    const good = detection();
    const aggregate = encodeAggregate([
      { partitionKey: 'a', data: json(good) },
      { partitionKey: 'a', data: Buffer.from('{nope') },
      { partitionKey: 'a', data: json({ ...good, image: 'AAAA' }) },
    ]);
    const items = decodeRecord(aggregate);
    expect(items.map((i) => (i.ok ? 'ok' : i.rejection.reason))).toEqual([
      'ok',
      'undecodable',
      'schema_violation',
    ]);
    expect(items.map((i) => i.subSequenceNumber)).toEqual([0, 1, 2]);
  });

  it('rejects a corrupted aggregate whole', () => {
    const aggregate = encodeAggregate([
      { partitionKey: 'a', data: json(detection()) },
      { partitionKey: 'a', data: json(detection()) },
    ]);
    aggregate[30] = (aggregate[30] as number) ^ 0xff;
    expect(decodeRecord(aggregate)).toMatchObject([
      { ok: false, rejection: { reason: 'undecodable', detail: expect.stringContaining('MD5') } },
    ]);
  });

  it('refuses a gzip bomb and gzip that holds no aggregate', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    expect(decodeRecord(bomb)).toMatchObject([{ ok: false, rejection: { reason: 'undecodable' } }]);
    expect(decodeRecord(gzipSync(json(detection())))).toMatchObject([
      { ok: false, rejection: { reason: 'undecodable' } },
    ]);
  });
});
