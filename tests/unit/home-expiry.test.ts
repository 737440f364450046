import { describe, expect, it } from 'vitest';
import {
  homeExpiresAt,
  homePeriodEndMs,
  homeRetentionMs,
  REBUILD_GRACE_MS,
} from '../../functions/domain/home-expiry.js';

const DAY = 86_400_000;

describe('Domain: home expiry', () => {
  it('keeps a home for the horizon, the stream retention and a week after its period', () => {
    expect(homeRetentionMs(35 * DAY, 7 * DAY)).toBe(49 * DAY);
  });

  it('bounds a store date two days after its UTC midnight, an ISO week eight days after its Monday', () => {
    const slot = { kind: 'store-slot', storeId: 's', date: '2026-06-15', slot: '23:45' } as const;
    expect(homePeriodEndMs(slot)).toBe(Date.UTC(2026, 5, 17));
    // 2026-W25 starts on Monday 2026-06-15.
    const part = { kind: 'team-part', teamId: 't', week: '2026-W25', part: 3 } as const;
    expect(homePeriodEndMs(part)).toBe(Date.UTC(2026, 5, 23));
    // The latest local end of 2026-06-15 (UTC-12, 23:59:59 local) is before the bound.
    expect(Date.UTC(2026, 5, 16, 11, 59, 59)).toBeLessThan(homePeriodEndMs(slot));
  });

  it('expires a home its retention after its period, or a rebuilt one a grace after its write', () => {
    const slot = { kind: 'store-slot', storeId: 's', date: '2026-06-15', slot: '12:00' } as const;
    const retention = 49 * DAY;
    const live = Date.UTC(2026, 5, 15, 12);
    expect(homeExpiresAt(slot, retention, live)).toBe((Date.UTC(2026, 5, 17) + retention) / 1000);
    // Written by a rebuild a year later: kept a week from then, not deleted at once.
    const rebuilt = Date.UTC(2027, 5, 15, 12, 0, 0, 500);
    expect(homeExpiresAt(slot, retention, rebuilt)).toBe(
      Math.ceil((rebuilt + REBUILD_GRACE_MS) / 1000),
    );
  });

  it('refuses a key whose period is not a date', () => {
    expect(() =>
      homePeriodEndMs({ kind: 'store-slot', storeId: 's', date: '2026-02-30', slot: '00:00' }),
    ).toThrow(RangeError);
  });
});
