export interface BackoffOptions {
  /** Ceiling of the first retry's delay; it doubles with each retry after. */
  readonly baseMs: number;
  /** Largest ceiling. */
  readonly capMs: number;
  /**
   * `full`: a delay drawn uniformly below the ceiling ("full jitter"), so that many callers
   * backing off together spread out; `none`: the ceiling itself, for a caller that imitates a
   * deterministic schedule. @default 'full'
   */
  readonly jitter?: 'full' | 'none';
}

/**
 * Exponential backoff: the delay before retry `retry` (1 = the first retry), at most
 * `min(capMs, baseMs * 2^(retry - 1))`.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (retry - 1));
  return options.jitter === 'none' ? ceiling : Math.random() * ceiling;
}
