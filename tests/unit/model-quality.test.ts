import fc from 'fast-check';
import { monotonicFactory, ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome, type HomeState } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import {
  busiestLanes,
  busiestModels,
  falsePositiveRate,
  laneCounts,
  laneFlagged,
  MAX_SLOT_LANES,
  MAX_SLOT_MODELS,
  modelCounts,
  OTHER,
  versionQuality,
} from '../../functions/domain/model-quality.js';
import type { ImpactReader, SlotRead } from '../../functions/impact-api/impact-reader.js';
import { modelQualityFor, storeLanesFor } from '../../functions/impact-api/model-quality-query.js';
import type { PersonPrincipal } from '../../functions/shared/principal.js';
import { detection, NOON, outcome } from '../helpers/factories.js';

const options = { baselines: DEFAULT_BASELINES };
const slot = () =>
  emptyHome(
    { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '12:00' },
    'us-east',
  );
const fold = (state: HomeState, events: TelemetryEvent[]) =>
  foldEvents(state, events, options).next;
const slotOnly = (counters: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(counters).filter(([k]) => k.includes('|')));

describe('model quality: slot-only counters in the fold', () => {
  it('counts a detection and its later outcome under its model, category and lane, in the slot only', () => {
    const d = detection({ category: 'walkout', laneId: 'lane-07', estimatedLossCents: 4_000 });
    const first = fold(slot(), [d]);
    const second = fold(first, [outcome(d, { outcome: 'recovered', recoveredCents: 3_000 })]);

    expect(slotOnly(second.counters)).toEqual({
      'q|shrink-vision@4.2.1|walkout|d': 1,
      'q|shrink-vision@4.2.1|walkout|r': 1,
      'q|shrink-vision@4.2.1|walkout|p': 3_000,
      'l|lane-07|d': 1,
      'l|lane-07|r': 1,
    });
    // Neither write's lastDelta (what store days and rollups add) holds any of them.
    expect(slotOnly(first.lastDelta)).toEqual({});
    expect(slotOnly(second.lastDelta)).toEqual({});
    // The pending buckets are kept while the outcome is awaited, and dropped once it is in.
    expect(first.joins.get(d.detectionId)).toBe('4000|||shrink-vision@4.2.1|walkout|lane-07');
    expect(second.joins.get(d.detectionId)).toBe('4000|recovered|3000');
  });

  it('counts an outcome that came first once its detection comes, with no money for a false positive', () => {
    const d = detection({ laneId: 'lane-02' });
    const first = fold(slot(), [outcome(d, { outcome: 'false_positive', recoveredCents: 0 })]);
    const second = fold(first, [d]);

    expect(slotOnly(first.counters)).toEqual({});
    expect(slotOnly(second.counters)).toEqual({
      'q|shrink-vision@4.2.1|missed_scan|d': 1,
      'q|shrink-vision@4.2.1|missed_scan|f': 1,
      'l|lane-02|d': 1,
      'l|lane-02|f': 1,
    });
  });

  it('counts a second detection or outcome of one detectionId nowhere', () => {
    const d = detection();
    const o = outcome(d, { outcome: 'confirmed_loss', recoveredCents: 0 });
    const again = { ...d, seq: d.seq + 1_000, eventId: ulid(NOON) };
    const late = { ...o, seq: o.seq + 1_000, outcome: 'recovered' as const };
    const state = fold(fold(slot(), [d, o]), [again, late]);

    expect(slotOnly(state.counters)).toEqual({
      'q|shrink-vision@4.2.1|missed_scan|d': 1,
      'q|shrink-vision@4.2.1|missed_scan|c': 1,
      'l|lane-01|d': 1,
      'l|lane-01|c': 1,
    });
  });

  it(`keeps ${MAX_SLOT_MODELS} model versions and ${MAX_SLOT_LANES} lanes apart in a slot, the rest as ${OTHER}`, () => {
    const events = Array.from({ length: 80 }, (_, i) =>
      detection({
        detectionId: ulid(NOON + i),
        laneId: `lane-${i}`,
        model: { name: 'shrink-vision', version: `4.${i % 10}` },
      }),
    );
    const d = events[79] as (typeof events)[number];
    const state = fold(fold(slot(), events), [
      outcome(d, { outcome: 'false_positive', recoveredCents: 0 }),
    ]);

    const models = modelCounts([state.counters]);
    const lanes = laneCounts([state.counters]);
    expect(models.size).toBe(MAX_SLOT_MODELS + 1);
    expect(lanes.size).toBe(MAX_SLOT_LANES + 1);
    expect(models.get(OTHER)?.get('missed_scan')).toMatchObject({
      detections: 16,
      false_positive: 1,
    });
    expect(lanes.get(OTHER)).toMatchObject({ detections: 80 - MAX_SLOT_LANES, false_positive: 1 });
    // A later batch keeps to the buckets the slot already has.
    const later = fold(state, [
      detection({
        detectionId: ulid(NOON + 100),
        laneId: 'lane-new',
        model: { name: 'x', version: '1' },
      }),
    ]);
    expect(modelCounts([later.counters]).get(OTHER)?.get('missed_scan')?.detections).toBe(17);
    expect(laneCounts([later.counters]).get(OTHER)?.detections).toBe(80 - MAX_SLOT_LANES + 1);
  });

  it('counts the outcome of a detection folded before slot-only counters existed in the store figures only', () => {
    const d = detection();
    const legacy: HomeState = {
      ...slot(),
      version: 1,
      counters: { detections: 1, detections_missed_scan: 1, lossDetectedCents: 1_250 },
      joins: new Map([[d.detectionId, '1250||']]),
    };
    const state = fold(legacy, [outcome(d, { outcome: 'recovered', recoveredCents: 1_250 })]);

    expect(state.lastDelta).toMatchObject({ outcomes: 1, lossPreventedCents: 1_250 });
    expect(slotOnly(state.counters)).toEqual({});
  });

  it('adds up to the same counters whatever the order and batching of the events', () => {
    const pairs = Array.from({ length: 12 }, (_, i) => {
      const d = detection({
        detectionId: ulid(NOON + i),
        laneId: `lane-0${i % 3}`,
        category: i % 2 === 0 ? 'walkout' : 'missed_scan',
        model: { name: 'shrink-vision', version: i % 4 === 0 ? '4.1.0' : '4.2.1' },
      });
      const kind =
        (['recovered', 'confirmed_loss', 'false_positive'] as const)[i % 3] ?? 'recovered';
      return [
        d,
        outcome(d, { outcome: kind, recoveredCents: kind === 'false_positive' ? 0 : 700 }),
      ];
    });
    const events: TelemetryEvent[] = pairs.flat();
    const reference = fold(slot(), events).counters;
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.nat(events.length), { maxLength: 5 }),
        (order, cuts) => {
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), order.length];
          let state = slot();
          for (let i = 1; i < bounds.length; i++) {
            state = fold(state, order.slice(bounds[i - 1], bounds[i]));
          }
          expect(state.counters).toEqual(reference);
        },
      ),
      { numRuns: 200 },
    );
    const v41 = versionQuality(
      'shrink-vision@4.1.0',
      modelCounts([reference]).get('shrink-vision@4.1.0'),
    );
    expect(v41.total).toMatchObject({ detections: 3, outcomes: { open: 0 } });
  });
});

describe('model quality: the fold past its bounds, in any order', () => {
  it('never counts an outcome without its detection, nor either twice, whatever the order, batching and overflow', () => {
    // Prepare: 70 detections under 12 versions and 70 lanes (past both slot bounds), 40 of
    // them with an outcome, each event possibly sent twice (a resend under a new seq) and the
    // outcome of one detection twice.
    const base = detection();
    const pairs = Array.from({ length: 70 }, (_, i) => {
      const d = {
        ...base,
        seq: 10_000 + i,
        detectionId: ulid(NOON + i),
        laneId: `lane-${i * 3}`,
        model: { name: 'shrink-vision', version: `4.${i % 12}` },
      };
      const kind =
        (['recovered', 'confirmed_loss', 'false_positive'] as const)[i % 3] ?? 'recovered';
      const o = outcome(d, { outcome: kind, recoveredCents: kind === 'false_positive' ? 0 : 500 });
      return i < 40 ? [d, { ...o, seq: 20_000 + i }] : [d];
    });
    const events: TelemetryEvent[] = pairs.flat();
    const resends = events.map((e, i) => ({ ...e, seq: 30_000 + i }));
    const secondOutcome = { ...(events[1] as TelemetryEvent), seq: 40_000, outcome: 'recovered' };
    const sum = (counters: Record<string, number>, prefix: string, measure: string) =>
      Object.entries(counters)
        .filter(([k]) => k.startsWith(prefix) && k.endsWith(`|${measure}`))
        .reduce((n, [, v]) => n + v, 0);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...events, ...resends, secondOutcome as TelemetryEvent], {
          minLength: events.length,
        }),
        fc.array(fc.nat(events.length * 2), { maxLength: 6 }),
        (order, cuts) => {
          // Every event at least once: the subarray may drop resends, never an original.
          const sent = [...events.filter((e) => !order.includes(e)), ...order];
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), sent.length];
          let state = slot();
          for (let i = 1; i < bounds.length; i++) {
            state = fold(state, sent.slice(bounds[i - 1], bounds[i]));
          }
          const c = state.counters;
          expect(sum(c, 'q|', 'd')).toBe(70);
          expect(sum(c, 'l|', 'd')).toBe(70);
          for (const m of ['r', 'c', 'f']) {
            expect(sum(c, 'q|', m)).toBe(
              c[`outcomes_${{ r: 'recovered', c: 'confirmed_loss', f: 'false_positive' }[m]}`],
            );
            expect(sum(c, 'l|', m)).toBe(sum(c, 'q|', m));
          }
          expect(sum(c, 'q|', 'r') + sum(c, 'q|', 'c') + sum(c, 'q|', 'f')).toBe(40);
          for (const [, byCategory] of modelCounts([c])) {
            for (const q of byCategory.values()) {
              expect(q.recovered + q.confirmed_loss + q.false_positive).toBeLessThanOrEqual(
                q.detections,
              );
            }
          }
          for (const q of laneCounts([c]).values()) {
            expect(q.recovered + q.confirmed_loss + q.false_positive).toBeLessThanOrEqual(
              q.detections,
            );
          }
          expect(modelCounts([c]).size).toBe(MAX_SLOT_MODELS + 1);
          expect(laneCounts([c]).size).toBe(MAX_SLOT_LANES + 1);
          expect(Object.keys(state.lastDelta).some((k) => k.includes('|'))).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('model quality: figures read from slots', () => {
  const slots: Record<string, number>[] = [
    {
      'q|shrink-vision@4.1.0|walkout|d': 4,
      'q|shrink-vision@4.1.0|walkout|r': 1,
      'q|shrink-vision@4.1.0|walkout|f': 2,
      'q|shrink-vision@4.1.0|walkout|p': 900,
      'l|lane-01|d': 4,
      'l|lane-01|f': 2,
      detections: 4,
    },
    {
      'q|shrink-vision@4.1.0|walkout|d': 1,
      'q|shrink-vision@4.1.0|shelf_sweep|d': 2,
      'l|lane-01|d': 1,
      'l|lane-02|d': 2,
    },
  ];

  it('sums a version per category, with the outcome mix, open detections and loss prevented per detection', () => {
    const v = versionQuality('shrink-vision@4.1.0', modelCounts(slots).get('shrink-vision@4.1.0'));
    const walkout = v.categories.find((c) => c.category === 'walkout');
    expect(v).toMatchObject({ model: 'shrink-vision', version: '4.1.0' });
    expect(walkout).toEqual({
      category: 'walkout',
      detections: 5,
      outcomes: { recovered: 1, confirmed_loss: 0, false_positive: 2, open: 2 },
      falsePositiveRate: 2 / 3,
      lossPreventedCents: 900,
      lossPreventedPerDetectionCents: 180,
    });
    expect(v.total.detections).toBe(7);
    expect(v.total.lossPreventedPerDetectionCents).toBe(129);
    expect(v.categories.find((c) => c.category === 'missed_scan')).toMatchObject({
      detections: 0,
      falsePositiveRate: null,
      lossPreventedPerDetectionCents: null,
    });
  });

  it('sums lanes and ignores every counter that is not a lane counter', () => {
    expect(laneCounts(slots)).toEqual(
      new Map([
        [
          'lane-01',
          {
            detections: 5,
            recovered: 0,
            confirmed_loss: 0,
            false_positive: 2,
            lossPreventedCents: 0,
          },
        ],
        [
          'lane-02',
          {
            detections: 2,
            recovered: 0,
            confirmed_loss: 0,
            false_positive: 0,
            lossPreventedCents: 0,
          },
        ],
      ]),
    );
  });
});

describe('model quality: rates and the lane flag', () => {
  it('false-positive rate is over resolved outcomes, null when none', () => {
    expect(falsePositiveRate({ recovered: 0, confirmed_loss: 0, false_positive: 0 })).toBeNull();
    expect(falsePositiveRate({ recovered: 2, confirmed_loss: 1, false_positive: 1 })).toBe(0.25);
  });
  it('flags a lane only with 10 resolved, rate >= store + 0.20 and >= 1.5x store', () => {
    expect(laneFlagged({ recovered: 5, confirmed_loss: 0, false_positive: 5 }, 0.2)).toBe(true);
    expect(laneFlagged({ recovered: 4, confirmed_loss: 0, false_positive: 5 }, 0.2)).toBe(false);
    expect(laneFlagged({ recovered: 5, confirmed_loss: 0, false_positive: 5 }, 0.35)).toBe(false);
    expect(laneFlagged({ recovered: 1, confirmed_loss: 0, false_positive: 9 }, 0.65)).toBe(false);
    expect(laneFlagged({ recovered: 5, confirmed_loss: 0, false_positive: 5 }, null)).toBe(false);
  });
});

describe('model quality: the size of one answer', () => {
  it('adds what it leaves out into the (other) already there, without changing its input', () => {
    const counts = (detections: number, false_positive = 0) => ({
      detections,
      recovered: 0,
      confirmed_loss: 0,
      false_positive,
      lossPreventedCents: 0,
    });
    const lanes = new Map([
      ['lane-01', counts(9, 1)],
      [OTHER, counts(5, 2)],
      ['lane-02', counts(3, 3)],
      ['lane-03', counts(7)],
    ]);
    const models = new Map([
      ['a@1', new Map([['walkout', counts(4)]])],
      [OTHER, new Map([['walkout', counts(1, 1)]])],
      ['b@1', new Map([['missed_scan', counts(2, 2)]])],
    ]);

    const kept = busiestLanes(lanes, 2);
    const keptModels = busiestModels(models, 1);

    expect([...kept.keys()]).toEqual(['lane-01', 'lane-03', OTHER]);
    expect(kept.get(OTHER)).toEqual(counts(8, 5));
    expect(lanes.get(OTHER)).toEqual(counts(5, 2));
    expect([...keptModels.keys()]).toEqual(['a@1', OTHER]);
    expect(Object.fromEntries(keptModels.get(OTHER) ?? [])).toEqual({
      walkout: counts(1, 1),
      missed_scan: counts(2, 2),
    });
    expect(models.get(OTHER)?.size).toBe(1);
    expect(busiestLanes(lanes, 3)).toEqual(lanes);
  });

  it("bounds the versions and lanes one answer lists, however many a store's slots keep apart", async () => {
    // Prepare: a hostile panel sends, in every slot of a 31-day period, 8 detections under 8
    // new model versions and 8 new lanes: each slot within its own bounds, and the period
    // 23,808 versions and lanes apart, which listed one by one is tens of MB.
    const base = detection();
    const ids = monotonicFactory();
    const slots: SlotRead[] = [];
    let n = 0;
    for (let day = 1; day <= 31; day++) {
      const date = `2026-07-${String(day).padStart(2, '0')}`;
      for (let s = 0; s < 96; s++) {
        const events = Array.from({ length: 8 }, () => {
          n++;
          return {
            ...base,
            seq: n,
            eventId: ids(NOON),
            detectionId: ids(NOON),
            laneId: `lane-${n}`,
            model: { name: 'shrink-vision', version: `9.${n}` },
          };
        });
        slots.push({ date, slot: `${s}`, counters: fold(slot(), events).counters });
      }
    }
    const reader = {
      store: async () => ({ storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' }),
      storeSlots: async () => slots,
    } as unknown as ImpactReader;
    const period = { from: '2026-07-01', to: '2026-07-31' };

    // Act
    const quality = await modelQualityFor(
      { role: 'leadership' } as PersonPrincipal,
      { ...period, storeId: 'store-0001' },
      reader,
      'USD',
    );
    const lanes = await storeLanesFor(
      { role: 'leadership' } as PersonPrincipal,
      'store-0001',
      period,
      reader,
      'USD',
    );

    // Assert: a few dozen entries at most, the rest as (other), and every detection kept.
    expect(JSON.stringify(quality).length).toBeLessThan(256 * 1024);
    expect(JSON.stringify(lanes).length).toBeLessThan(256 * 1024);
    expect(quality.versions.reduce((s, v) => s + v.total.detections, 0)).toBe(n);
    expect(lanes.lanes.reduce((s, l) => s + l.detections, 0)).toBe(n);
    expect(quality.versions.at(-1)).toMatchObject({ model: OTHER, version: OTHER });
    expect(lanes.lanes.at(-1)).toMatchObject({ laneId: OTHER, flagged: false });
  });
});
