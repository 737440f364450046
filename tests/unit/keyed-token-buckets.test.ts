import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets } from '../../functions/shared/keyed-token-buckets.js';

/** Buckets on a clock the test moves. */
function buckets(limits = { burst: 3, ratePerSecond: 1, maxKeys: 100 }) {
  let now = 1_000_000;
  const b = new KeyedTokenBuckets(limits, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe('Class: KeyedTokenBuckets', () => {
  it('gives each key its burst, then refuses it with the wait until its next token', () => {
    const { b } = buckets();

    const taken = [1, 2, 3, 4].map(() => b.take('a'));

    expect(taken.map((t) => t.ok)).toEqual([true, true, true, false]);
    expect(taken[3]).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(b.take('b').ok).toBe(true);
  });

  it('refills a key at its rate, never past its burst', () => {
    const { b, advance } = buckets();
    for (let i = 0; i < 3; i++) b.take('a');

    advance(1_500);
    const afterOneAndAHalf = [b.take('a').ok, b.take('a')];
    advance(60_000);
    const afterALongWait = [1, 2, 3, 4].map(() => b.take('a').ok);

    expect(afterOneAndAHalf).toEqual([true, { ok: false, retryAfterMs: 500 }]);
    expect(afterALongWait).toEqual([true, true, true, false]);
  });

  it('forgets keys whose bucket has refilled, so idle callers cost no memory', () => {
    const { b, advance } = buckets();
    for (let i = 0; i < 50; i++) b.take(`caller-${i}`);
    expect(b.size).toBe(50);

    advance(1_000);
    b.take('late');

    expect(b.size).toBe(1);
  });

  it('keeps at most maxKeys, dropping the least recently used (which can only give it more)', () => {
    const { b } = buckets({ burst: 1, ratePerSecond: 0.001, maxKeys: 10 });
    for (let i = 0; i < 1_000; i++) b.take(`caller-${i}`);

    expect(b.size).toBe(10);
    expect(b.take('caller-999').ok).toBe(false);
    expect(b.take('caller-0').ok).toBe(true);
  });
});
