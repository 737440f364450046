import { KeyedTokenBuckets } from '#shared/keyed-token-buckets';

/** A token bucket's two numbers, as API Gateway states its throttles. */
export interface RateLimit {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once (the bucket's size). */
  readonly burstLimit: number;
}

/**
 * The API stage's request-rate limits: the CDK stack sets them on the HTTP API stage, and the
 * embedded server enforces the same numbers (429 past them). Only authenticated requests (a
 * token that verifies) draw from it locally; see `UNAUTHENTICATED_THROTTLE`.
 */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const satisfies RateLimit;

/**
 * Each authenticated caller's own limit, keyed by the verified token's `sub` (never by
 * anything the caller states): one caller can use at most 40% of the stage's rate, so no
 * single dashboard, script or assistant starves the others. A dashboard page load (a handful
 * of requests at once) fits well inside the burst.
 */
export const PER_CALLER_THROTTLE = { rateLimit: 20, burstLimit: 50 } as const satisfies RateLimit;

/**
 * The limit for requests without a valid token (none, forged, expired), per source IP (the
 * TCP peer, never a forwarded-for header). Such requests draw only from this bucket and are
 * never charged to the stage or to any caller, so unauthenticated traffic cannot use up
 * authenticated capacity. Enough for the public `/docs` and `/openapi.json`, and for a
 * dashboard whose token expired to get its 401.
 */
export const UNAUTHENTICATED_THROTTLE = {
  rateLimit: 5,
  burstLimit: 20,
} as const satisfies RateLimit;

/**
 * Most keys (callers or source IPs) a keyed limiter remembers. Keys idle long enough to have
 * refilled are forgotten first (forgetting them changes nothing); past this many active keys
 * the least recently seen is forgotten (it starts again with a full bucket).
 */
export const THROTTLE_MAX_KEYS = 10_000;

/** The three limits the gateway stand-in applies. */
export interface ApiThrottleLimits {
  /** All authenticated requests together. @default API_THROTTLE */
  readonly stage: RateLimit;
  /** Each authenticated caller (`sub`). @default PER_CALLER_THROTTLE */
  readonly perCaller: RateLimit;
  /** Requests without a valid token, per source IP. @default UNAUTHENTICATED_THROTTLE */
  readonly unauthenticated: RateLimit;
}

/** Who a request counts against: a verified subject, or (without a valid token) its source. */
export type ThrottleKey = { readonly subject: string } | { readonly sourceIp: string };

/**
 * The stand-in's throttle: an authenticated request takes a token from its caller's bucket,
 * then from the stage's (a caller over its own limit never spends stage capacity); a request
 * without a valid token takes one from its source IP's bucket only.
 */
export class ApiThrottle {
  private readonly stage: KeyedTokenBuckets;
  private readonly callers: KeyedTokenBuckets;
  private readonly sources: KeyedTokenBuckets;

  constructor(
    limits: Partial<ApiThrottleLimits> = {},
    maxKeys: number = THROTTLE_MAX_KEYS,
    now: () => number = Date.now,
  ) {
    const buckets = (limit: RateLimit, keys: number) =>
      new KeyedTokenBuckets(
        { burst: limit.burstLimit, ratePerSecond: limit.rateLimit, maxKeys: keys },
        now,
      );
    this.stage = buckets(limits.stage ?? API_THROTTLE, 1);
    this.callers = buckets(limits.perCaller ?? PER_CALLER_THROTTLE, maxKeys);
    this.sources = buckets(limits.unauthenticated ?? UNAUTHENTICATED_THROTTLE, maxKeys);
  }

  /** True if the request may proceed, false for a 429. */
  admit(key: ThrottleKey): boolean {
    if ('subject' in key) return this.callers.take(key.subject).ok && this.stage.take('stage').ok;
    return this.sources.take(key.sourceIp).ok;
  }
}
