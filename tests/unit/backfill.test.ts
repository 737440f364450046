import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import {
  CLOSES_HOUR,
  defineFleet,
  generateBackfill,
  localDateOf,
  localHourOf,
  OPENS_HOUR,
} from '#simulator';

const fleet = defineFleet({ stores: 5, seed: 3 });
const anchorMs = Date.parse('2026-11-20T15:00:00Z');
const options = { fleet, seed: 3, days: 30, anchorMs, incidentClasses: ['pos_down', 'other'] };
const events = generateBackfill(options);
const detections = events.filter((e) => e.type === 'detection');

describe('Function: generateBackfill', () => {
  it('gives the same events for the same seed and different ones for another', () => {
    // Act
    const again = generateBackfill(options);
    const other = generateBackfill({ ...options, seed: 4 });

    // Assess
    expect(again).toEqual(events);
    expect(other.map((e) => e.eventId)).not.toEqual(events.map((e) => e.eventId));
  });

  it('detects only in open hours, on 30 distinct local days before the anchor day, per store', () => {
    for (const store of fleet.stores) {
      const own = detections.filter((d) => d.storeId === store.storeId);
      for (const d of own) {
        const at = decodeTime(d.detectionId);
        const hour = localHourOf(at, store.timeZone);
        expect(hour).toBeGreaterThanOrEqual(OPENS_HOUR);
        expect(hour).toBeLessThan(CLOSES_HOUR);
        expect(at).toBeLessThan(anchorMs);
      }
      const days = new Set(own.map((d) => localDateOf(decodeTime(d.detectionId), store.timeZone)));
      expect(days.size).toBe(30);
      expect(days.has(localDateOf(anchorMs, store.timeZone))).toBe(false);
    }
  });

  it('reports every outcome 2 to 45 minutes after its detection, from the same lane PC', () => {
    const byId = new Map(detections.map((d) => [d.detectionId, d]));
    const outcomes = events.filter((e) => e.type === 'detection_outcome');
    expect(outcomes.length).toBeGreaterThan(detections.length / 2);
    for (const o of outcomes) {
      const d = byId.get(o.detectionId);
      expect(d?.deviceId).toBe(o.deviceId);
      const lag = Date.parse(o.occurredAt) - decodeTime(o.detectionId);
      expect(lag).toBeGreaterThanOrEqual(2 * 60_000);
      expect(lag).toBeLessThan(46 * 60_000);
    }
  });

  it('has more loss in the evening than in the morning, and more at weekends', () => {
    const hourOf = (d: (typeof detections)[number]) => {
      const store = fleet.stores.find((s) => s.storeId === d.storeId);
      return localHourOf(decodeTime(d.detectionId), store?.timeZone ?? 'UTC');
    };
    const evening = detections.filter((d) => hourOf(d) >= 17 && hourOf(d) < 21).length / 4;
    const morning = detections.filter((d) => hourOf(d) >= 8 && hourOf(d) < 12).length / 4;
    expect(evening).toBeGreaterThan(2 * morning);
    const dayOf = (d: (typeof detections)[number]) =>
      new Date(`${d.occurredAt.slice(0, 10)}T12:00:00Z`).getUTCDay();
    const weekend = detections.filter((d) => [0, 6].includes(dayOf(d))).length / 2;
    const midweek = detections.filter((d) => [1, 2, 3].includes(dayOf(d))).length / 3;
    expect(weekend).toBeGreaterThan(1.2 * midweek);
  });

  it('closes incidents for every team on every day, and numbers each device in time order', () => {
    const incidents = events.filter((e) => e.type === 'oncall_incident');
    for (const agent of fleet.agents) {
      const days = new Set(
        incidents.filter((i) => i.teamId === agent.teamId).map((i) => i.resolvedAt.slice(0, 10)),
      );
      expect(days.size).toBe(30);
    }
    const last = new Map<string, TelemetryEvent>();
    for (const e of events) {
      const before = last.get(e.deviceId);
      if (before !== undefined) {
        expect(e.seq).toBe(before.seq + 1);
        expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(Date.parse(before.occurredAt));
      }
      last.set(e.deviceId, e);
    }
    // Below a live run's seqs, which start from the clock (ms x 1000).
    expect(Math.max(...events.map((e) => e.seq))).toBeLessThan(anchorMs * 1000);
  });

  it('refuses a day count that is not a positive integer', () => {
    expect(() => generateBackfill({ ...options, days: 0 })).toThrow(/positive integer/);
  });
});

describe('The simulated model rollout and a camera that wants re-aiming', () => {
  // Per model version, and for store-0001's lane-02: outcomes of the detections it raised.
  const fpRate = (pick: (d: (typeof detections)[number]) => boolean) => {
    const raised = new Set(detections.filter(pick).map((d) => d.detectionId));
    const outcomes = events.filter(
      (e) => e.type === 'detection_outcome' && raised.has(e.detectionId),
    );
    return (
      outcomes.filter((o) => o.type === 'detection_outcome' && o.outcome === 'false_positive')
        .length / outcomes.length
    );
  };

  it('runs both versions in store-0003 (odd lanes 4.1.0), 4.2.1 only in store-0001, 4.1.0 only in store-0002', () => {
    const versions = (storeId: string, odd?: boolean) =>
      new Set(
        detections
          .filter((d) => d.storeId === storeId)
          .filter((d) => odd === undefined || (Number(d.laneId.slice(-2)) % 2 === 1) === odd)
          .map((d) => d.model.version),
      );
    expect(versions('store-0001')).toEqual(new Set(['4.2.1']));
    expect(versions('store-0002')).toEqual(new Set(['4.1.0']));
    expect(versions('store-0003', true)).toEqual(new Set(['4.1.0']));
    expect(versions('store-0003', false)).toEqual(new Set(['4.2.1']));
  });

  it('gives 4.2.1 fewer false positives than 4.1.0, and store-0001 lane-02 most of all', () => {
    const healthy = (d: (typeof detections)[number]) =>
      !(d.storeId === 'store-0001' && d.laneId === 'lane-02') &&
      !(d.storeId === 'store-0005' && d.laneId === 'lane-02');
    const v41 = fpRate((d) => healthy(d) && d.model.version === '4.1.0');
    const v42 = fpRate((d) => healthy(d) && d.model.version === '4.2.1');
    const misaimed = fpRate((d) => d.storeId === 'store-0001' && d.laneId === 'lane-02');
    expect(v41).toBeGreaterThan(0.3);
    expect(v42).toBeLessThan(0.3);
    expect(misaimed).toBeGreaterThan(0.65);
  });
});
