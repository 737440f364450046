import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysInclusive,
  eachDate,
  isoWeekOfDate,
  isoWeekOfInstant,
  localDate,
  parseDate,
} from '../../functions/domain/calendar.js';

describe('Module: calendar', () => {
  it('gives the store-local calendar date of an instant', () => {
    const lateEvening = Date.UTC(2026, 0, 1, 3, 30); // 2026-01-01 03:30Z
    expect(localDate(lateEvening, 'America/Los_Angeles')).toBe('2025-12-31');
    expect(localDate(lateEvening, 'Europe/Berlin')).toBe('2026-01-01');
    expect(localDate(lateEvening, 'UTC')).toBe('2026-01-01');
  });

  it('computes ISO weeks across year boundaries', () => {
    expect(isoWeekOfDate('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOfDate('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOfDate('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOfDate('2026-06-15')).toBe('2026-W25');
    expect(isoWeekOfInstant(Date.UTC(2026, 5, 21, 23, 59))).toBe('2026-W25');
  });

  it('validates and steps through calendar dates', () => {
    expect(parseDate('2026-02-29')).toBeUndefined();
    expect(parseDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysInclusive('2026-01-01', '2026-12-31')).toBe(365);
    expect(eachDate('2026-03-30', '2026-04-02')).toEqual([
      '2026-03-30',
      '2026-03-31',
      '2026-04-01',
      '2026-04-02',
    ]);
  });
});
