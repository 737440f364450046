/** Limits of {@link KeyedTokenBuckets}. */
export interface KeyedTokenBucketLimits {
  /** Tokens a key may spend at once. */
  readonly burst: number;
  /** Tokens a key gets back per second. */
  readonly ratePerSecond: number;
  /** Keys remembered at most; the least recently used go first past it. */
  readonly maxKeys: number;
}

/** The answer of {@link KeyedTokenBuckets.take}. */
export type TakeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** How long until the key's next token. */
      readonly retryAfterMs: number;
    };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key (a caller), in bounded memory: a key whose bucket has refilled is
 * the same as an unknown key and is forgotten; past `maxKeys` the least recently used key is
 * forgotten even if it is not full, which can only give that caller more, never less, than
 * its limit. Eviction happens on the way in, a few keys per call, so there is no timer.
 */
export class KeyedTokenBuckets {
  // Map order is use order: the least recently used key first.
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: KeyedTokenBucketLimits,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limits.burst >= 1 && limits.ratePerSecond > 0 && limits.maxKeys >= 1))
      throw new RangeError('burst >= 1, ratePerSecond > 0 and maxKeys >= 1 are required');
  }

  /** Spends one of `key`'s tokens, if it has one. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket === undefined ? this.limits.burst : this.refilled(bucket, now);
    this.buckets.delete(key);
    const ok = tokens >= 1;
    this.buckets.set(key, { tokens: ok ? tokens - 1 : tokens, at: now });
    this.evict(now);
    return ok
      ? { ok }
      : { ok, retryAfterMs: Math.ceil(((1 - tokens) / this.limits.ratePerSecond) * 1000) };
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, now: number): number {
    const gained = (Math.max(0, now - bucket.at) / 1000) * this.limits.ratePerSecond;
    return Math.min(this.limits.burst, bucket.tokens + gained);
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const over = this.buckets.size > this.limits.maxKeys;
      if (!over && this.refilled(bucket, now) < this.limits.burst) return;
      this.buckets.delete(key);
    }
  }
}
