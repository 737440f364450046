import { createHash, generateKeyPairSync } from 'node:crypto';
import { deflateRawSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTelemetryEvent, parseTelemetryJson, type TelemetryEvent } from '#contract';
import {
  CURRENT_DICTIONARY_ID,
  DICTIONARIES,
  DICTIONARY_1,
  DICTIONARY_DEFLATE_MAGIC,
  deflateWithDictionary,
  ENVELOPE_MAGIC,
  encodeAggregate,
  InflateLimitError,
  inflateWithDictionary,
  isAggregated,
  isDictionaryDeflate,
  isGzip,
  isSignedEnvelope,
  KPL_MAGIC,
  MAX_INFLATED_BYTES,
  openRecord,
  signRecord,
  UnknownDictionaryError,
} from '#wire';
import { buildRecords } from '../../edge-client/src/aggregation/record-builder.js';
import { decodeRecord, MEMO_MIN_INFLATION } from '../../functions/domain/decode-record.js';
import { detection, incident, outcome } from '../helpers/factories.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** As the edge client serializes an event: parsed by the contract, so in its key order. */
function asSent(event: unknown): TelemetryEvent {
  const parsed = parseTelemetryEvent(event);
  if (!parsed.ok) throw new Error('a factory event the contract refuses');
  return parsed.event;
}

/** A store's events as its gateway packs them: detections, some outcomes, an incident. */
const storeEvents = (n: number): TelemetryEvent[] =>
  Array.from({ length: n }, (_, i) => {
    const d = detection({ confidence: 0.5 + (i % 40) / 100, estimatedLossCents: 199 + i * 37 });
    if (i % 7 === 6) return asSent(incident({ storeId: 'store-0001' }));
    return asSent(i % 3 === 2 ? outcome(d, { outcome: 'confirmed_loss', recoveredCents: 0 }) : d);
  });
const aggregateOf = (events: readonly unknown[]) =>
  encodeAggregate(events.map((e) => ({ partitionKey: 'store-0001', data: json(e) })));

/** A raw DEFLATE stream with the magic and id byte of a dictionary-deflate record. */
const framed = (id: number, stream: Uint8Array) =>
  Buffer.concat([DICTIONARY_DEFLATE_MAGIC, Buffer.of(id), stream]);

describe('Dictionaries: released presets', () => {
  it('keeps dictionary 1 byte for byte as released: a record names it by id forever', () => {
    expect(createHash('sha256').update(DICTIONARY_1).digest('hex')).toBe(
      'ba6fd663df23ebea7bafa247ada9aa555fe6ab3b32f78c6d307b843001c4435d',
    );
    expect(DICTIONARIES.get(1)).toBe(DICTIONARY_1);
    expect(CURRENT_DICTIONARY_ID).toBe(1);
  });

  it('fits DEFLATE’s 32 KiB window and is ASCII text of events the contract accepts', () => {
    expect(DICTIONARY_1.byteLength).toBeLessThanOrEqual(32 * 1024);
    expect(DICTIONARY_1.every((b) => b < 0x80)).toBe(true);
    const lines = DICTIONARY_1.toString('ascii').split('\n');
    expect(lines.map((l) => parseTelemetryJson(Buffer.from(l)).ok)).not.toContain(false);
    expect(new Set(lines.map((l) => JSON.parse(l).type))).toEqual(
      new Set(['detection', 'detection_outcome', 'oncall_incident']),
    );
  });
});

describe('Format: dictionary-deflate record', () => {
  it('round-trips any bytes, and is told apart from every other framing by its magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5_000 }), (data) => {
        const record = deflateWithDictionary(data);
        expect([...record.subarray(0, 4)]).toEqual([0xf3, 0x44, 0x43, 1]);
        expect(isDictionaryDeflate(record)).toBe(true);
        expect(isGzip(record) || isAggregated(record) || isSignedEnvelope(record)).toBe(false);
        expect(Buffer.from(inflateWithDictionary(record))).toEqual(Buffer.from(data));
      }),
      { numRuns: 200 },
    );
    for (const other of [KPL_MAGIC, ENVELOPE_MAGIC, gzipSync('x'), json(detection())])
      expect(isDictionaryDeflate(Buffer.concat([other, Buffer.alloc(8)]))).toBe(false);
  });

  it('opens to the aggregate inside, signed or not, with every user record', () => {
    // Prepare
    const events = storeEvents(9);
    const aggregate = aggregateOf(events);
    const record = deflateWithDictionary(aggregate);
    const key = generateKeyPairSync('ed25519');
    const signed = signRecord(record, { signer: 'gw', keyId: 'k1', privateKey: key.privateKey });

    // Act
    const opened = [openRecord(record), openRecord(signed)];

    // Assess
    for (const o of opened) {
      expect(o).toMatchObject({ kind: 'aggregate', data: aggregate });
      expect(
        o.kind === 'aggregate' && o.users.map((u) => JSON.parse(Buffer.from(u.data).toString())),
      ).toEqual(events);
    }
    expect(opened[1]).toMatchObject({ envelope: { signer: 'gw', keyId: 'k1' } });
  });

  it('costs a store gateway’s record of nine events at least a quarter less than gzip', () => {
    const aggregate = aggregateOf(storeEvents(9));
    expect(deflateWithDictionary(aggregate).byteLength).toBeLessThan(
      gzipSync(aggregate, { level: 6 }).byteLength * 0.75,
    );
  });

  it('refuses a bomb past the cap as oversized, having inflated no more than the cap', () => {
    // Prepare: 50 MiB of zeros, a few KB of raw DEFLATE.
    const bomb = deflateWithDictionary(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(100 * 1024);

    // Act / Assess
    expect(() => inflateWithDictionary(bomb)).toThrow(InflateLimitError);
    expect(openRecord(bomb)).toMatchObject({
      kind: 'refused',
      why: 'oversized',
      bytes: MAX_INFLATED_BYTES,
      detail: expect.stringContaining('dictionary-deflate record inflates past'),
    });
    expect(decodeRecord(bomb)).toMatchObject({
      events: [],
      refused: [{ reason: 'oversized_record', subSequenceNumbers: [0], count: 1 }],
    });
  });

  it('refuses an unknown dictionary id as undecodable, naming the id and the ones it knows', () => {
    const record = framed(
      7,
      deflateRawSync(aggregateOf(storeEvents(3)), { dictionary: DICTIONARY_1 }),
    );
    expect(() => inflateWithDictionary(record)).toThrow(UnknownDictionaryError);
    expect(() => deflateWithDictionary(Buffer.from('x'), 7)).toThrow(UnknownDictionaryError);
    expect(decodeRecord(record)).toMatchObject({
      events: [],
      refused: [
        {
          reason: 'undecodable',
          detail: 'dictionary-deflate record names dictionary 7; this decoder knows 1',
          count: 1,
        },
      ],
    });
  });

  it('refuses a corrupt or torn stream, and one without an aggregate inside, as undecodable', () => {
    const record = deflateWithDictionary(aggregateOf(storeEvents(9)));
    const torn = record.subarray(0, record.byteLength - 20);
    const garbage = framed(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    const noAggregate = deflateWithDictionary(json(detection()));
    for (const [bad, detail] of [
      [torn, 'corrupt dictionary-deflate record'],
      [garbage, 'corrupt dictionary-deflate record'],
      [noAggregate, 'dictionary-deflate record without a KPL aggregate inside'],
    ] as const) {
      expect(decodeRecord(bad)).toMatchObject({
        events: [],
        refused: [{ reason: 'undecodable', detail, subSequenceNumbers: [0] }],
      });
    }
  });

  it('refuses any single-byte corruption of a record, never counting a changed event', () => {
    const events = storeEvents(9);
    const record = deflateWithDictionary(aggregateOf(events));
    const honest = events.map((e) => JSON.stringify(e));
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: record.byteLength - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const flipped = Buffer.from(record);
          flipped[at] = (flipped[at] as number) ^ xor;
          const decoded = decodeRecord(flipped);
          // Whatever a flip does, an accepted event is one that was sent (the KPL MD5).
          for (const e of decoded.events) expect(honest).toContain(Buffer.from(e.bytes).toString());
          expect(
            decoded.events.length + decoded.refused.reduce((s, r) => s + r.count, 0),
          ).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('inflates the edge client’s records below the ratio that turns the parse memo on', () => {
    // The memo is for hostile records (decode-record.ts, MEMO_MIN_INFLATION): honest records
    // in the new format, small and large, still go without it.
    for (const n of [9, 40, 150]) {
      const events = storeEvents(n);
      const [record] = buildRecords(
        events,
        (e) => ({ partitionKey: 'store-0001', data: json(e) }),
        undefined,
      );
      const data = record?.data ?? Buffer.alloc(0);
      expect(isDictionaryDeflate(data)).toBe(true);
      expect(decodeRecord(data).inflatedBytes).toBeLessThan(MEMO_MIN_INFLATION * data.byteLength);
    }
  });
});
