import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '#edge-client';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Function: backoffDelay', () => {
  it('doubles its ceiling with each retry, from baseMs up to capMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((retry) =>
      backoffDelay(retry, { baseMs: 100, capMs: 2_000, jitter: 'none' }),
    );

    expect(ceilings).toEqual([100, 200, 400, 800, 1_600, 2_000]);
  });

  it('draws a full-jitter delay uniformly below the ceiling by default', () => {
    // Prepare: the extremes of Math.random().
    const random = vi.spyOn(Math, 'random');

    // Act
    random.mockReturnValue(0);
    const lowest = backoffDelay(3, { baseMs: 100, capMs: 2_000 });
    random.mockReturnValue(0.5);
    const middle = backoffDelay(3, { baseMs: 100, capMs: 2_000 });
    random.mockReturnValue(0.999_999);
    const highest = backoffDelay(9, { baseMs: 100, capMs: 2_000 });

    // Assess
    expect([lowest, middle]).toEqual([0, 200]);
    expect(highest).toBeLessThan(2_000);
    expect(highest).toBeGreaterThan(1_999);
  });
});
