import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { parseTelemetryJson } from '#contract';
import { encodeAggregate, MAX_USER_RECORDS } from '#wire';
import { decodeRecord, describeIssues } from '../../functions/domain/decode-record.js';
import { detection, SHORTEST_EVENTS } from '../helpers/factories.js';

// The contract parser, counted: decodeRecord must judge each distinct user record once.
vi.mock('#contract', async (importOriginal) => {
  const actual = await importOriginal<typeof import('#contract')>();
  return { ...actual, parseTelemetryJson: vi.fn(actual.parseTelemetryJson) };
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
describe('Function: decodeRecord', () => {
  it('decodes a plain JSON record as one event at sub-sequence 0, with its bytes', () => {
    const d = detection();
    const bytes = json(d);
    expect(decodeRecord(bytes)).toEqual({
      inflatedBytes: bytes.byteLength,
      events: [{ subSequenceNumber: 0, event: d, bytes }],
      refused: [],
    });
  });

  it('splits a KPL aggregate, plain or gzipped, into its events with their sub-sequence numbers', () => {
    const events = [detection(), detection(), detection()];
    const aggregate = encodeAggregate(
      events.map((e) => ({ partitionKey: e.deviceId, data: json(e) })),
    );
    for (const record of [aggregate, gzipSync(aggregate)]) {
      const decoded = decodeRecord(record);
      expect(decoded.events.map((e) => [e.subSequenceNumber, e.event])).toEqual(
        events.map((event, i) => [i, event]),
      );
      expect(decoded.refused).toEqual([]);
      expect(decoded.inflatedBytes).toBe(aggregate.byteLength);
    }
  });

  it('refuses only the bad user records of an aggregate, one refusal per reason', () => {
    const good = detection();
    const aggregate = encodeAggregate([
      { partitionKey: 'a', data: json(good) },
      { partitionKey: 'a', data: Buffer.from('{nope') },
      { partitionKey: 'a', data: json({ ...good, image: 'AAAA' }) },
      { partitionKey: 'a', data: Buffer.from('[1,') },
      { partitionKey: 'a', data: json({ ...good, faceEmbedding: [0.1] }) },
    ]);
    const decoded = decodeRecord(aggregate);
    expect(decoded.events.map((e) => e.subSequenceNumber)).toEqual([0]);
    expect(decoded.refused).toEqual([
      {
        reason: 'undecodable',
        detail: '(event): not valid UTF-8 JSON',
        subSequenceNumbers: [1, 3],
        count: 2,
      },
      {
        reason: 'schema_violation',
        detail: 'image: not a field of the v1 contract',
        subSequenceNumbers: [2, 4],
        count: 2,
      },
    ]);
  });

  it('refuses a corrupted aggregate whole', () => {
    const aggregate = encodeAggregate([
      { partitionKey: 'a', data: json(detection()) },
      { partitionKey: 'a', data: json(detection()) },
    ]);
    aggregate[30] = (aggregate[30] as number) ^ 0xff;
    expect(decodeRecord(aggregate)).toMatchObject({
      events: [],
      refused: [{ reason: 'undecodable', detail: expect.stringContaining('MD5'), count: 1 }],
    });
  });

  it('refuses a gzip bomb as oversized, and gzip that holds no aggregate as undecodable', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    expect(decodeRecord(bomb)).toMatchObject({
      events: [],
      refused: [{ reason: 'oversized_record', subSequenceNumbers: [0] }],
    });
    expect(decodeRecord(gzipSync(json(detection())))).toMatchObject({
      refused: [{ reason: 'undecodable' }],
    });
  });

  it('refuses an aggregate of more user records than an honest one holds, whole, with its count', () => {
    // Prepare: 100,000 empty user records, ~1 KB gzipped (the record of issue 17).
    const flood = gzipSync(
      encodeAggregate(
        Array.from({ length: 100_000 }, () => ({ partitionKey: 'a', data: Buffer.alloc(0) })),
      ),
    );
    expect(flood.byteLength).toBeLessThan(2_000);

    // Act
    const decoded = decodeRecord(flood);

    // Assess: one refusal that counts them all; not one of them decoded.
    expect(decoded.events).toEqual([]);
    expect(decoded.refused).toEqual([
      {
        reason: 'oversized_record',
        detail: expect.stringContaining('100000 entries'),
        subSequenceNumbers: [0],
        count: 100_000,
      },
    ]);
  });

  it('parses each distinct user record of a record once, and gives identical ones one shared result', () => {
    // Prepare: 4,000 copies of one event and 300 of one refused user record, then one other event.
    const [first, second] = [SHORTEST_EVENTS[0], { ...SHORTEST_EVENTS[0], seq: 1 }].map(json);
    const users = [
      ...Array.from({ length: 4_000 }, (_, i) => (i % 40 === 39 ? 'x' : first)),
      second,
    ].map((data) => ({ partitionKey: 'a', data: Buffer.from(data as Uint8Array | string) }));
    const parse = vi.mocked(parseTelemetryJson);
    parse.mockClear();

    // Act
    const decoded = decodeRecord(gzipSync(encodeAggregate(users)));

    // Assess: three parses for 4,001 user records; each still judged at its own position.
    expect(parse).toHaveBeenCalledTimes(3);
    expect(decoded.events).toHaveLength(3_901);
    expect(decoded.events.at(-1)).toMatchObject({ subSequenceNumber: 4_000, event: { seq: 1 } });
    const [a, b] = decoded.events;
    expect([a?.subSequenceNumber, b?.subSequenceNumber]).toEqual([0, 1]);
    expect(a?.event).toEqual(SHORTEST_EVENTS[0]);
    expect(a?.event).toBe(b?.event);
    expect(a?.bytes).toBe(b?.bytes);
    expect(decoded.refused).toEqual([
      {
        reason: 'undecodable',
        detail: '(event): not valid UTF-8 JSON',
        subSequenceNumbers: Array.from({ length: 100 }, (_, i) => i * 40 + 39),
        count: 100,
      },
    ]);
  });

  it('accepts an aggregate of MAX_USER_RECORDS user records, judging each', () => {
    const atCap = encodeAggregate(
      Array.from({ length: MAX_USER_RECORDS }, () => ({
        partitionKey: 'a',
        data: Buffer.from('x'),
      })),
    );
    const decoded = decodeRecord(atCap);
    expect(decoded.refused).toMatchObject([{ reason: 'undecodable', count: MAX_USER_RECORDS }]);
    expect(decoded.refused[0]?.subSequenceNumbers).toHaveLength(MAX_USER_RECORDS);
  });
});

describe('Function: describeIssues', () => {
  it('names fields and expectations, never the refused values', () => {
    // Prepare: a value of its own in every field the contract checks.
    const secret = 'SECRETVALUE';
    const bad = {
      ...detection(),
      deviceId: `${secret} x`,
      category: secret,
      confidence: 7_777_777,
      laneId: 1234567,
      model: { name: secret, version: '1', [`${secret} name`]: 1 },
      faceEmbedding: [0.4242, 0.1717],
      [`${secret} in a key`]: 1,
    };
    const parsed = parseTelemetryJson(json(bad));
    if (parsed.ok) throw new Error('expected a refusal');

    // Act
    const detail = describeIssues(parsed.issues);

    // Assess
    expect(detail).toContain('faceEmbedding: not a field of the v1 contract');
    expect(detail).toContain('category:');
    expect(detail).toContain('model.(key):');
    for (const value of [secret, '7777777', '1234567', '0.4242', '0.1717'])
      expect(detail).not.toContain(value);
  });
});
