import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DETECTION_CATEGORIES, OUTCOMES, RESOLUTIONS, type TelemetryEvent } from '#contract';
import { countersOf, type Item } from '../../functions/adapters/item-codec.js';
import type { HomeKey } from '../../functions/domain/aggregate-keys.js';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { detection, incident, outcome } from '../helpers/factories.js';

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });
const numbers = (counters: Readonly<Record<string, number>>): Item =>
  Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, n(v)]));

describe('Function: countersOf', () => {
  it('reads the counters of a team week part, not its part number', () => {
    // Prepare: a team week part as the aggregate store writes it.
    const item: Item = {
      pk: s('TEAM#team-pos'),
      sk: s('PART#2026-W25#03'),
      kind: s('team-part'),
      teamId: s('team-pos'),
      week: s('2026-W25'),
      part: n(3),
      version: n(2),
      seen: { M: {} },
      joins: { M: {} },
      lastDelta: { M: { incidents: n(5) } },
      updatedAt: s('2026-06-15T12:00:00.000Z'),
      incidents: n(5),
    };

    // Act
    const counters = countersOf(item);

    // Assess
    expect(counters).toEqual({ incidents: 5 });
  });

  it('reads back every counter a fold writes, and no bookkeeping attribute', () => {
    // Prepare: every category, outcome and resolution, and a second report of each kind.
    const detections = DETECTION_CATEGORIES.map((category) => detection({ category }));
    const storeEvents = [
      ...detections,
      ...detections.map((d, i) => outcome(d, { outcome: OUTCOMES[i % OUTCOMES.length] })),
      ...detections.slice(0, 2).map((d) => outcome(d)),
      ...detections.slice(0, 1).map((d) => ({ ...d, seq: d.seq + 1_000 })),
    ];
    const repeated = incident();
    const teamEvents = [
      ...RESOLUTIONS.map((resolution) => incident({ resolution })),
      repeated,
      { ...repeated, seq: repeated.seq + 1_000 },
    ];
    // What a fold passes on to summaries and rollups (a slot's slot-only counters stay in it).
    const fold = (key: HomeKey, events: readonly TelemetryEvent[]) =>
      foldEvents(emptyHome(key, 'us-east'), events, { baselines: DEFAULT_BASELINES }).next
        .lastDelta;
    const written = {
      ...fold(
        { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '08:00' },
        storeEvents,
      ),
      ...fold({ kind: 'team-part', teamId: 'team-pos', week: '2026-W25', part: 7 }, teamEvents),
    };
    const item: Item = {
      pk: s('ROLLUP#ORG#DAY#3'),
      sk: s('2026-06-15'),
      kind: s('rollup'),
      storeId: s('store-0001'),
      date: s('2026-06-15'),
      slot: s('08:00'),
      week: s('2026-W25'),
      part: n(7),
      region: s('us-east'),
      version: n(9),
      absorbed: { M: { '08:00': n(1) } },
      'v:store-0001': n(4),
      's:store-0001': s('1,2,3,4,5,6'),
      updatedAt: s('2026-06-15T12:00:00.000Z'),
      ...numbers(written),
    };

    // Act
    const counters = countersOf(item);

    // Assess
    expect(written).toHaveProperty('ignoredDetections', 1);
    expect(written).toHaveProperty('ignoredOutcomes', 2);
    expect(written).toHaveProperty('ignoredIncidents', 1);
    expect(counters).toEqual(written);
  });
});
