import { describe, expect, it } from 'vitest';
import { netImpact } from '../../functions/domain/net-impact.js';

const base = {
  lossPreventedCents: 1_000_000,
  hoursSaved: 10,
  loadedHourlyRateCents: 5_000,
  pipelineMonthlyCostCents: 365_000,
  days: 365 / 12,
  storeShare: 1,
};

describe('net impact arithmetic', () => {
  it('adds loss prevented and hours saved at the rate, less the pro-rated running cost', () => {
    expect(netImpact(base)).toEqual({
      lossPreventedCents: 1_000_000,
      hoursSavedValueCents: 50_000,
      pipelineCostCents: 365_000,
      netImpactCents: 685_000,
    });
  });

  it('pro-rates the monthly cost by days and by the share of stores', () => {
    // 365,000 a month is 12,000 a day: 10 days of a quarter of the stores is 30,000.
    expect(netImpact({ ...base, days: 10, storeShare: 0.25 }).pipelineCostCents).toBe(30_000);
    expect(netImpact({ ...base, days: 365 }).pipelineCostCents).toBe(365_000 * 12);
  });

  it('can be negative, and refuses inputs that make no sense', () => {
    expect(netImpact({ ...base, lossPreventedCents: 0, hoursSaved: 0 }).netImpactCents).toBe(
      -365_000,
    );
    expect(() => netImpact({ ...base, days: 0 })).toThrow(RangeError);
    expect(() => netImpact({ ...base, storeShare: 1.5 })).toThrow(RangeError);
    expect(() => netImpact({ ...base, loadedHourlyRateCents: -1 })).toThrow(RangeError);
  });
});
