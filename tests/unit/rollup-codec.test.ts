import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PackedAttributeError } from '../../functions/adapters/packed-attribute.js';
import { packContributors, unpackContributors } from '../../functions/adapters/rollup-codec.js';

describe('Function: packContributors', () => {
  it('reads back every entry, and packs equal entries to equal bytes in any order', () => {
    // Prepare
    const a = new Map([
      ['store-0002', { version: 7, snapshot: '1,2,3,4,5,6' }],
      ['store-0001', { version: 1_440, snapshot: '9600,48211077,0,0,9113,1402' }],
    ]);
    const b = new Map([...a].reverse());

    // Act
    const [pa, pb] = [packContributors(a), packContributors(b)];

    // Assert
    expect(Object.fromEntries(unpackContributors({ contributors: pa }))).toEqual(
      Object.fromEntries(a),
    );
    expect(Buffer.from(pa.B as Uint8Array).equals(Buffer.from(pb.B as Uint8Array))).toBe(true);
  });

  it('packs 1,300 stores of a full day to under half their attributes of the earlier layout', () => {
    // Prepare: an organisation day shard of the reference fleet, figures of assorted size.
    const entries = new Map(
      Array.from({ length: 1_300 }, (_, i) => {
        const detections = 8_000 + ((i * 7_919) % 3_000);
        const loss = detections * (3_000 + ((i * 104_729) % 4_000));
        return [
          `store-${String(i * 8).padStart(5, '0')}`,
          {
            version: 900 + ((i * 31) % 600),
            snapshot: `${detections},${loss},${Math.floor(loss * 0.6)},${Math.floor(loss * 0.1)},${detections - (i % 500)},${(i * 13) % 2_000}`,
          },
        ];
      }),
    );
    const attributes = [...entries].reduce(
      (s, [id, e]) => s + 2 * (2 + id.length) + String(e.version).length + e.snapshot.length,
      0,
    );

    // Act
    const packed = (packContributors(entries).B as Uint8Array).byteLength;

    // Assert
    expect(packed).toBeLessThan(attributes / 2);
  });
});

describe('Function: unpackContributors', () => {
  it('reads an item of the earlier layout: a v: and an s: attribute per contributor', () => {
    // Prepare
    const item = {
      pk: { S: 'ROLLUP#ORG#DAY#3' },
      'v:store-0001': { N: '4' },
      's:store-0001': { S: '1,2,3,4,5,6' },
      'v:store-0009': { N: '1' },
      detections: { N: '12' },
    };

    // Act
    const entries = unpackContributors(item);

    // Assert
    expect(Object.fromEntries(entries)).toEqual({
      'store-0001': { version: 4, snapshot: '1,2,3,4,5,6' },
      'store-0009': { version: 1, snapshot: '' },
    });
  });

  it('refuses a layout it does not know, corrupt bytes and malformed entries', () => {
    // Prepare
    const of = (value: unknown) => ({
      contributors: { B: deflateRawSync(JSON.stringify(value)) },
    });

    // Act & Assert
    expect(() => unpackContributors(of({ layout: 2, entries: [] }))).toThrow(/layout 2/);
    expect(() => unpackContributors({ contributors: { B: Buffer.from('junk') } })).toThrow(
      PackedAttributeError,
    );
    expect(() => unpackContributors(of({ layout: 1, entries: [['s', '4', '']] }))).toThrow(
      /not \[id, version, snapshot\]/,
    );
  });
});
