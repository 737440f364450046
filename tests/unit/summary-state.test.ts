import { describe, expect, it } from 'vitest';
import {
  absorbContributions,
  ContributionGapError,
  emptySummary,
} from '../../functions/domain/summary-state.js';

const day = () =>
  emptySummary({ kind: 'store-day', storeId: 'store-0001', date: '2026-06-15' }, 'us-east');
const slot = (contributor: string, fromVersion: number, detections: number) => ({
  contributor,
  fromVersion,
  toVersion: fromVersion + 1,
  delta: { detections },
});

describe('Function: absorbContributions', () => {
  it('adds new contributions as one version whose lastDelta is their sum', () => {
    const { next, applied } = absorbContributions(day(), [
      slot('09:00', 0, 3),
      slot('09:15', 0, 4),
    ]);

    expect(applied).toHaveLength(2);
    expect(next.version).toBe(1);
    expect(next.counters).toEqual({ detections: 7 });
    expect(next.lastDelta).toEqual({ detections: 7 });
    expect([...next.absorbed]).toEqual([
      ['09:00', 1],
      ['09:15', 1],
    ]);
  });

  it('skips a contribution it has absorbed already and returns the same state if none is new', () => {
    const once = absorbContributions(day(), [slot('09:00', 0, 3)]).next;

    const again = absorbContributions(once, [slot('09:00', 0, 3)]);

    expect(again.applied).toEqual([]);
    expect(again.next).toBe(once);
  });

  it('refuses a contribution that skips a version of its contributor', () => {
    const once = absorbContributions(day(), [slot('09:00', 0, 3)]).next;

    expect(() => absorbContributions(once, [slot('09:00', 2, 1)])).toThrow(ContributionGapError);
  });

  it('keeps the counters equal to the sum of every absorbed delta, in any grouping', () => {
    const deltas = [
      slot('09:00', 0, 1),
      slot('09:00', 1, 2),
      slot('10:00', 0, 5),
      slot('09:00', 2, 7),
    ];
    const oneByOne = deltas.reduce((s, c) => absorbContributions(s, [c]).next, day());
    const grouped = absorbContributions(
      absorbContributions(day(), deltas.slice(0, 1)).next,
      deltas.slice(1, 3),
    ).next;
    const all = absorbContributions(grouped, deltas.slice(3)).next;

    expect(oneByOne.counters).toEqual({ detections: 15 });
    expect(all.counters).toEqual(oneByOne.counters);
    expect([...all.absorbed]).toEqual([...oneByOne.absorbed]);
  });
});
