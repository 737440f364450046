import { describe, expect, it } from 'vitest';
import {
  ApiThrottle,
  KeyedTokenBuckets,
  PER_CALLER_THROTTLE,
  UNAUTHENTICATED_THROTTLE,
} from '../../functions/impact-api/throttling.js';

describe('Class: KeyedTokenBuckets', () => {
  it('keeps one bucket per key', () => {
    // Prepare
    const now = 0;
    const buckets = new KeyedTokenBuckets({ rateLimit: 1, burstLimit: 2 }, 100, () => now);

    // Act
    const a = [buckets.take('a'), buckets.take('a'), buckets.take('a')];
    const b = [buckets.take('b'), buckets.take('b'), buckets.take('b')];

    // Assess
    expect(a).toEqual([true, true, false]);
    expect(b).toEqual([true, true, false]);
  });

  it('forgets keys idle long enough to have refilled, which changes no answer', () => {
    // Prepare: refills from empty in 2 s.
    let now = 0;
    const buckets = new KeyedTokenBuckets({ rateLimit: 1, burstLimit: 2 }, 100, () => now);
    for (let i = 0; i < 50; i++) buckets.take(`ip-${i}`);
    buckets.take('a');
    buckets.take('a');

    // Act: 2 s later one more key is seen.
    now += 2_000;
    buckets.take('late');

    // Assess: the 51 idle keys are gone; a forgotten key gets what it would have had anyway.
    expect(buckets.size).toBe(1);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([true, true, false]);
  });

  it('never remembers more than maxKeys, forgetting the least recently used', () => {
    // Prepare
    const now = 0;
    const buckets = new KeyedTokenBuckets({ rateLimit: 1, burstLimit: 1 }, 3, () => now);

    // Act: a flood of distinct keys, with one key used throughout.
    const sizes: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      buckets.take(`flood-${i}`);
      buckets.take('steady');
      sizes.push(buckets.size);
    }

    // Assess: bounded, and the steady key (recently used) kept its empty bucket.
    expect(Math.max(...sizes)).toBe(3);
    expect(buckets.take('steady')).toBe(false);
  });
});

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
