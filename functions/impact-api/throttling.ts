/**
 * The API's request-rate limits: the CDK stack sets them on the HTTP API stage, and the
 * embedded server enforces the same numbers (429 past them).
 */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** A token bucket: `burstLimit` requests at once, refilled at `rateLimit` per second. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rateLimit: number,
    private readonly burstLimit: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burstLimit;
    this.last = now();
  }

  /** Takes a token if one is left. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.burstLimit,
      this.tokens + ((now - this.last) / 1000) * this.rateLimit,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
