import { describe, expect, it } from 'vitest';
import { slotOfSk, storeSlotRange } from '../../functions/domain/aggregate-keys.js';
import {
  hourOfDayTable,
  hourOfSlot,
  type SlotCounters,
  storesToRead,
} from '../../functions/domain/hour-of-day.js';

describe('Function: hourOfDayTable', () => {
  it('adds the slots of one local hour into that hour and answers all 24 hours', () => {
    // Prepare
    const slots: SlotCounters[] = [
      { slot: '09:00', counters: { detections: 2, detections_walkout: 2, lossDetectedCents: 500 } },
      {
        slot: '09:45',
        counters: { detections: 1, detections_missed_scan: 1, lossPreventedCents: 120 },
      },
      { slot: '23:45', counters: { detections: 3, detections_shelf_sweep: 3 } },
    ];

    // Act
    const hours = hourOfDayTable(slots);

    // Assess
    expect(hours.map((h) => h.hour)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(hours[9]).toMatchObject({
      detections: 3,
      lossDetectedCents: 500,
      lossPreventedCents: 120,
      detectionsByCategory: { walkout: 2, missed_scan: 1, shelf_sweep: 0 },
    });
    expect(hours[23]?.detectionsByCategory.shelf_sweep).toBe(3);
    expect(hours[10]).toMatchObject({ detections: 0, lossDetectedCents: 0 });
  });

  it("reads only the counters its rows show, never a slot's per-model and per-lane ones", () => {
    // Prepare: a slot as a hostile panel can fill it (hundreds of slot-only names, each read
    // in every slot of the table, ~1.4 s over 12,000 slots), each slot-only one counting reads.
    let reads = 0;
    const counters: Record<string, number> = { detections: 4, detections_walkout: 4 };
    for (let i = 0; i < 500; i++) {
      Object.defineProperty(counters, `l|lane-${i}|d`, {
        enumerable: true,
        get: () => {
          reads++;
          return 1;
        },
      });
    }

    // Act
    const hours = hourOfDayTable([{ slot: '10:00', counters }]);

    // Assess
    expect(hours[10]).toMatchObject({ detections: 4, detectionsByCategory: { walkout: 4 } });
    expect(reads).toBe(0);
  });

  it('refuses a malformed slot time instead of guessing an hour', () => {
    expect(() => hourOfSlot('24:00')).toThrow(RangeError);
    expect(() => hourOfDayTable([{ slot: '9:00', counters: {} }])).toThrow(RangeError);
  });
});

describe('Function: storesToRead', () => {
  const active = new Map([
    ['store-b', 10],
    ['store-a', 10],
    ['store-c', 50],
    ['store-d', 1],
  ]);

  it('ranks the busiest first, ties by store id, within the store cap', () => {
    const read = storesToRead(active, { maxStores: 3, maxSlots: 100_000, slotsPerStore: 96 });
    expect(read).toEqual({ stores: ['store-c', 'store-a', 'store-b'], truncated: true });
  });

  it('bounds the slots at each store worst case, reading at least one store', () => {
    // 31 days x 96 slots: 12,000 slots hold 4 store-months.
    expect(
      storesToRead(active, { maxStores: 25, maxSlots: 12_000, slotsPerStore: 31 * 96 }).stores,
    ).toHaveLength(4);
    expect(storesToRead(active, { maxStores: 25, maxSlots: 10, slotsPerStore: 96 })).toEqual({
      stores: ['store-c'],
      truncated: true,
    });
    expect(storesToRead(new Map(), { maxStores: 25, maxSlots: 12_000, slotsPerStore: 96 })).toEqual(
      { stores: [], truncated: false },
    );
  });
});

describe('Function: storeSlotRange', () => {
  it('spans the slots of the days and no day item, and slotOfSk reads them back', () => {
    const range = storeSlotRange('store-0001', '2026-06-01', '2026-06-02');
    expect(range).toEqual({
      pk: 'STORE#store-0001',
      fromSk: 'SLOT#2026-06-01T00:00',
      toSk: 'SLOT#2026-06-02T23:59',
    });
    expect('SLOT#2026-06-02T23:45' <= range.toSk).toBe(true);
    expect('SLOT#2026-06-03T00:00' > range.toSk).toBe(true);
    expect('DAY#2026-06-01' < range.fromSk).toBe(true);
    expect(slotOfSk('SLOT#2026-06-02T23:45')).toEqual({ date: '2026-06-02', slot: '23:45' });
    expect(slotOfSk('DAY#2026-06-02')).toBeUndefined();
  });
});
