/**
 * Model quality and per-lane figures, from the outcome counts the 15-minute slots hold.
 * Pure: no AWS.
 */

export interface OutcomeCounts {
  recovered: number;
  confirmed_loss: number;
  false_positive: number;
}

export const FLAG_RULE =
  "A lane is flagged when it has at least 10 resolved outcomes and its false-positive rate is at least the store's rate + 0.20 and at least 1.5 x the store's rate";

/** false_positive / resolved outcomes; null when none resolved. */
export function falsePositiveRate(o: OutcomeCounts): number | null {
  const resolved = o.recovered + o.confirmed_loss + o.false_positive;
  return resolved === 0 ? null : o.false_positive / resolved;
}

/** The flag rule of FLAG_RULE. */
export function laneFlagged(lane: OutcomeCounts, storeRate: number | null): boolean {
  const resolved = lane.recovered + lane.confirmed_loss + lane.false_positive;
  const rate = falsePositiveRate(lane);
  if (resolved < 10 || rate === null || storeRate === null) return false;
  return rate >= storeRate + 0.2 && rate >= 1.5 * storeRate;
}
