import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import {
  packHomeState,
  packSummaryState,
  unpackHomeState,
  unpackSummaryState,
} from '../../functions/adapters/home-codec.js';
import {
  MAX_UNPACKED_BYTES,
  PackedAttributeError,
} from '../../functions/adapters/packed-attribute.js';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { SeqIntervals } from '../../functions/domain/seq-intervals.js';
import { isItemTooLarge } from '../../functions/processor/process-batch.js';
import { detection, NOON } from '../helpers/factories.js';

const intervals = (text: string) => SeqIntervals.parse(text);

describe('Function: packHomeState', () => {
  it('reads back the seen and joins it packed', () => {
    // Prepare
    const state = {
      seen: new Map([
        ['panel-store-0001-lane-02', intervals('1-40,42')],
        ['panel-store-0001-lane-01', intervals('7')],
      ]),
      joins: new Map([
        ['01KB0000000000000000000002', '5200|recovered|3100'],
        ['01KB0000000000000000000001', '120||'],
      ]),
      counters: { detections: 2, lossDetectedCents: 5_320 },
      lastDelta: { detections: 1 },
    };

    // Act
    const back = unpackHomeState({ packed: packHomeState(state) });

    // Assert
    expect([...back.seen].map(([d, s]) => [d, s.toString()])).toEqual([
      ['panel-store-0001-lane-01', '7'],
      ['panel-store-0001-lane-02', '1-40,42'],
    ]);
    expect(Object.fromEntries(back.joins)).toEqual(Object.fromEntries(state.joins));
    expect(back.counters).toEqual(state.counters);
    expect(back.lastDelta).toEqual(state.lastDelta);
  });

  it('packs equal state to equal bytes, whatever order it was built in', () => {
    // Prepare
    const a = {
      seen: new Map([
        ['d1', intervals('1-3')],
        ['d2', intervals('5')],
      ]),
      joins: new Map([
        ['x', '1||'],
        ['y', '2||'],
      ]),
      counters: { outcomes: 1, detections: 2 },
      lastDelta: {},
    };
    const b = {
      seen: new Map([
        ['d2', intervals('5')],
        ['d1', intervals('1-3')],
      ]),
      joins: new Map([
        ['y', '2||'],
        ['x', '1||'],
      ]),
      counters: { detections: 2, outcomes: 1 },
      lastDelta: {},
    };

    // Act
    const [pa, pb] = [packHomeState(a).B, packHomeState(b).B];

    // Assert
    expect(Buffer.from(pa as Uint8Array).equals(Buffer.from(pb as Uint8Array))).toBe(true);
  });

  it('packs a full store slot (300 detections, 40 lanes) to under half its maps', () => {
    // Prepare: ULID-like ids (random base32 tails), joins in every state, one seq run per lane.
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    const id = () => `01KB${Array.from({ length: 22 }, () => alphabet[next() % 32]).join('')}`;
    const joins = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const estimate = next() % 20_000;
      joins.set(id(), i % 7 === 0 ? `${estimate}||` : `${estimate}|recovered|${next() % estimate}`);
    }
    const seen = new Map(
      Array.from({ length: 40 }, (_, l) => [
        `panel-store-0001-lane-${String(l + 1).padStart(2, '0')}`,
        intervals(`${1_000 + l}-${1_010 + l}`),
      ]),
    );
    const mapBytes = (m: Map<string, string>) =>
      [...m].reduce((s, [k, v]) => s + 2 + k.length + v.length, 3);
    const maps = mapBytes(joins) + mapBytes(new Map([...seen].map(([d, s]) => [d, s.toString()])));

    // Act
    const packed = (packHomeState({ seen, joins, counters: {}, lastDelta: {} }).B as Uint8Array)
      .byteLength;

    // Assert
    expect(packed).toBeLessThan(maps / 2);
  });
});

describe("Function: packHomeState (a slot's slot-only counters)", () => {
  const counters = {
    detections: 3,
    'q|shrink-vision@4.2.1|walkout|d': 2,
    'q|shrink-vision@4.2.1|walkout|f': 1,
    'q|shrink-vision@4.1.0|missed_scan|d': 1,
    'q|shrink-vision@4.1.0|missed_scan|p': 700,
    'l|lane-01|d': 2,
    'l|lane-01|r': 1,
    'l|lane-02|d': 1,
  };
  const state = { seen: new Map(), joins: new Map(), counters, lastDelta: { detections: 3 } };

  it('packs them as one row per model and category and one per lane, and reads them back', () => {
    const packed = packHomeState(state);
    const json = JSON.parse(inflateRawSync(packed.B as Uint8Array).toString('utf8'));

    expect(json.counters).toEqual({ detections: 3 });
    expect(json.models).toEqual([
      ['shrink-vision@4.1.0', 'missed_scan', 1, 0, 0, 0, 700],
      ['shrink-vision@4.2.1', 'walkout', 2, 0, 0, 1, 0],
    ]);
    expect(json.lanes).toEqual([
      ['lane-01', 2, 1, 0, 0],
      ['lane-02', 1, 0, 0, 0],
    ]);
    expect(unpackHomeState({ packed }).counters).toEqual(counters);
  });

  it('refuses malformed rows with a clear error', () => {
    for (const rows of [
      { models: [['m@1', 'walkout', 1]] },
      { lanes: [['lane-01', 1, 2, 3, 'x']] },
      { lanes: 'lane-01' },
    ]) {
      const item = {
        packed: {
          B: deflateRawSync(
            JSON.stringify({
              layout: 1,
              seen: [],
              joins: [],
              counters: {},
              lastDelta: {},
              ...rows,
            }),
          ),
        },
      };
      expect(() => unpackHomeState(item)).toThrow(/malformed model or lane rows/);
    }
  });
});

describe('Function: unpackHomeState', () => {
  it('reads an item of the earlier layout, with seen and joins as maps of strings', () => {
    // Prepare: a store slot as the release before packing wrote it.
    const item = {
      seen: { M: { 'panel-store-0001-lane-01': { S: '1-4031' } } },
      joins: { M: { '01KB0000000000000000000001': { S: '5200|false_positive|0' } } },
      detections: { N: '1' },
      version: { N: '3' },
      lastDelta: { M: { detections: { N: '1' } } },
    };

    // Act
    const state = unpackHomeState(item);

    // Assert
    expect(state.seen.get('panel-store-0001-lane-01')?.toString()).toBe('1-4031');
    expect(state.joins.get('01KB0000000000000000000001')).toBe('5200|false_positive|0');
    expect(state.counters).toEqual({ detections: 1 });
    expect(state.lastDelta).toEqual({ detections: 1 });
  });

  it('refuses a packed layout it does not know, and corrupt bytes', () => {
    // Prepare
    const newer = {
      packed: { B: deflateRawSync(JSON.stringify({ layout: 2, seen: [], joins: [] })) },
    };
    const corrupt = { packed: { B: Buffer.from('not deflate at all') } };
    const wrongShape = {
      packed: {
        B: deflateRawSync(
          JSON.stringify({ layout: 1, seen: [['d', 5]], joins: [], counters: {}, lastDelta: {} }),
        ),
      },
    };

    // Act & Assert
    expect(() => unpackHomeState(newer)).toThrow(/layout 2; this code reads layout 1/);
    expect(() => unpackHomeState(corrupt)).toThrow(PackedAttributeError);
    expect(() => unpackHomeState(wrongShape)).toThrow(PackedAttributeError);
  });

  it('stops inflating a value past its bound instead of filling memory', () => {
    // Prepare: a few KB that inflate past MAX_UNPACKED_BYTES.
    const bomb = { packed: { B: deflateRawSync(Buffer.alloc(MAX_UNPACKED_BYTES + 1, 0x20)) } };

    // Act & Assert
    expect((bomb.packed.B as Buffer).byteLength).toBeLessThan(10_000);
    expect(() => unpackHomeState(bomb)).toThrow(PackedAttributeError);
  });
});

describe('Function: packHomeState at the bound its reader keeps', () => {
  it('refuses, as an item-size error, a slot it could not read back, however small it packs', () => {
    // Prepare: one hostile panel's 20,000 detections in one slot, with the longest model and
    // lane identifiers and ULIDs in order: each detection's pending join repeats ~200 bytes
    // that DEFLATE packs to a few, so the slot packs to ~110 KB (under the 400 KB item limit)
    // while its JSON is past MAX_UNPACKED_BYTES, which no read would inflate.
    const ids = monotonicFactory();
    const long = (c: string, i: number) => `${c.repeat(62)}${String(i).padStart(2, '0')}`;
    const base = detection();
    const events = Array.from({ length: 20_000 }, (_, i) => ({
      ...base,
      seq: i + 1,
      eventId: ids(NOON),
      detectionId: ids(NOON),
      laneId: long('l', i % 64),
      model: { name: long('m', i % 8), version: 'v'.repeat(64) },
    }));
    const slot = emptyHome(
      { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '12:00' },
      'us-east',
    );
    const state = foldEvents(slot, events, { baselines: DEFAULT_BASELINES }).next;

    // Act
    let packed: ReturnType<typeof packHomeState> | undefined;
    let error: unknown;
    try {
      packed = packHomeState(state);
    } catch (e) {
      error = e;
    }

    // Assert: never bytes that unpack fails on (a slot no batch or query could read again),
    // but the refusal the processor dead-letters as aggregate_too_large.
    if (packed !== undefined) expect(() => unpackHomeState({ packed })).not.toThrow();
    expect(isItemTooLarge(error)).toBe(true);
  });
});

describe('Function: packSummaryState', () => {
  it('reads back the absorbed versions and last delta, and an item of the earlier layout', () => {
    // Prepare
    const state = {
      absorbed: new Map([
        ['10:15', 4],
        ['10:00', 9],
      ]),
      lastDelta: { detections: 3 },
    };
    const earlier = {
      absorbed: { M: { '10:00': { N: '9' } } },
      lastDelta: { M: { detections: { N: '3' } } },
    };

    // Act
    const back = unpackSummaryState({ packed: packSummaryState(state) });
    const old = unpackSummaryState(earlier);

    // Assert
    expect(Object.fromEntries(back.absorbed)).toEqual({ '10:00': 9, '10:15': 4 });
    expect(back.lastDelta).toEqual({ detections: 3 });
    expect(Object.fromEntries(old.absorbed)).toEqual({ '10:00': 9 });
    expect(old.lastDelta).toEqual({ detections: 3 });
  });
});
