import { describe, expect, it } from 'vitest';
import {
  ApiThrottle,
  PER_CALLER_THROTTLE,
  UNAUTHENTICATED_THROTTLE,
} from '../../functions/impact-api/throttling.js';

describe('Class: ApiThrottle', () => {
  it('never charges requests without a valid token to the stage or to any caller', () => {
    // Prepare: a stage of 5 at once, no refill within the test.
    const now = 0;
    const throttle = new ApiThrottle(
      {
        stage: { rateLimit: 1, burstLimit: 5 },
        perCaller: { rateLimit: 1, burstLimit: 5 },
        unauthenticated: { rateLimit: 1, burstLimit: 3 },
      },
      100,
      () => now,
    );

    // Act: 300 from one source, then a caller's five.
    const anonymous = Array.from({ length: 300 }, () => throttle.admit({ sourceIp: '10.0.0.9' }));
    const caller = Array.from({ length: 6 }, () => throttle.admit({ subject: 'lead' }));

    // Assess
    expect(anonymous.filter(Boolean)).toHaveLength(3);
    expect(caller).toEqual([true, true, true, true, true, false]);
  });

  it('limits each caller to its own share of the stage, and the stage bounds them all', () => {
    // Prepare
    const now = 0;
    const throttle = new ApiThrottle(
      {
        stage: { rateLimit: 1, burstLimit: 5 },
        perCaller: { rateLimit: 1, burstLimit: 2 },
      },
      100,
      () => now,
    );

    // Act
    const greedy = Array.from({ length: 10 }, () => throttle.admit({ subject: 'greedy' }));
    const others = ['b', 'c', 'd'].flatMap((subject) => [
      throttle.admit({ subject }),
      throttle.admit({ subject }),
    ]);

    // Assess: greedy's refusals spent no stage capacity; the stage stops the fifth admission.
    expect(greedy.filter(Boolean)).toHaveLength(2);
    expect(others).toEqual([true, true, true, false, false, false]);
  });

  it('states the deployed numbers: one caller at most half the stage, anonymous far less', () => {
    expect(PER_CALLER_THROTTLE.rateLimit).toBeLessThanOrEqual(25);
    expect(UNAUTHENTICATED_THROTTLE.rateLimit).toBeLessThan(PER_CALLER_THROTTLE.rateLimit);
  });
});
