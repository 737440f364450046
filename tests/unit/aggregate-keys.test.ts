import { describe, expect, it } from 'vitest';
import {
  rollupTargetsOf,
  summaryItemKey,
  summaryPeriodOf,
  summaryRange,
} from '../../functions/domain/aggregate-keys.js';

describe('Function: summaryRange', () => {
  it("spans one store's days or one team's weeks, in the summary items' own keys", () => {
    expect(
      summaryRange(
        { kind: 'store-day', storeId: 's1', date: '2026-06-01' },
        { kind: 'store-day', storeId: 's1', date: '2026-06-30' },
      ),
    ).toEqual({ pk: 'STORE#s1', fromSk: 'DAY#2026-06-01', toSk: 'DAY#2026-06-30' });
    expect(
      summaryRange(
        { kind: 'team-week', teamId: 't1', week: '2026-W01' },
        { kind: 'team-week', teamId: 't1', week: '2026-W09' },
      ),
    ).toEqual({ pk: 'TEAM#t1', fromSk: 'WEEK#2026-W01', toSk: 'WEEK#2026-W09' });
  });

  it('refuses a range across two partitions', () => {
    expect(() =>
      summaryRange(
        { kind: 'store-day', storeId: 's1', date: '2026-06-01' },
        { kind: 'store-day', storeId: 's2', date: '2026-06-30' },
      ),
    ).toThrow(RangeError);
  });
});

describe('Function: summaryPeriodOf', () => {
  it("reads back the date or week of a summary item's sort key", () => {
    const day = summaryItemKey({ kind: 'store-day', storeId: 's1', date: '2026-06-15' });
    const week = summaryItemKey({ kind: 'team-week', teamId: 't1', week: '2026-W24' });
    expect(summaryPeriodOf('store-day', day.sk)).toBe('2026-06-15');
    expect(summaryPeriodOf('team-week', week.sk)).toBe('2026-W24');
  });
});

describe('Function: rollupTargetsOf', () => {
  it("feeds a store day to its organisation and region rollups, and a test store's to none", () => {
    const day = { kind: 'store-day', storeId: 'store-0001', date: '2026-06-15' } as const;
    expect(rollupTargetsOf(day, { region: 'us-east', test: false }).map((t) => t.pk)).toEqual([
      expect.stringMatching(/^ROLLUP#ORG#DAY#/),
      expect.stringMatching(/^ROLLUP#REGION#us-east#DAY#/),
    ]);
    expect(rollupTargetsOf(day, { region: 'us-east', test: true })).toEqual([]);
  });
});
