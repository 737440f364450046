import { describe, expect, it } from 'vitest';
import { billedKb, billingCutDue, buildRecords } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';

/** One store's events, as its gateway spools them, one every `gapMs`. */
function storeEntries(count: number, gapMs: number) {
  const fleet = defineFleet({ stores: 1, lanesPerStore: 40, seed: 19 });
  const simulator = new FleetSimulator({
    fleet,
    seed: 19,
    baselines: DEFAULT_BASELINES,
    resendRate: 0,
    incidentShare: 0,
  });
  return simulator.next(count).map((e, i) => ({
    appendedAt: 1_000_000 + i * gapMs,
    payload: Buffer.from(JSON.stringify(e)),
  }));
}
const toUser = (e: { payload: Buffer }) => ({ partitionKey: 'store-0001', data: e.payload });
const recordOf = (entries: ReturnType<typeof storeEntries>) =>
  buildRecords(entries, toUser, undefined)[0] as Parameters<typeof billedKb>[0];

/** The fewest events (from 2) at which the rule cuts, given the linger left after the last. */
function firstCut(entries: ReturnType<typeof storeEntries>, lingerLeftMs: (n: number) => number) {
  for (let n = 2; n <= entries.length; n++)
    if (billingCutDue(entries.slice(0, n), toUser, undefined, lingerLeftMs(n))) return n;
  return undefined;
}

describe('Function: billingCutDue (size-aware flush)', () => {
  it('lingers while the next event still fits in the billed KB, and cuts just before the boundary', () => {
    // Prepare: a store's pace (one event every 3 s), a 45 s linger.
    const entries = storeEntries(40, 3_000);

    // Act
    const n = firstCut(entries, (k) => 45_000 - (k - 1) * 3_000);

    // Assess: cut at a full first KB: one more event would have billed a second KB.
    expect(n).toBeDefined();
    const cut = recordOf(entries.slice(0, n));
    const next = recordOf(entries.slice(0, (n as number) + 1));
    expect(billedKb(cut)).toBe(1);
    expect(billedKb(next)).toBe(2);
    expect((n as number) * 3_000).toBeLessThan(45_000);
  });

  it('crosses the boundary when enough events to make the bigger record cheaper will come in time', () => {
    // Prepare: ten times the pace, the same 45 s linger: the second KB fills long before it ends.
    const entries = storeEntries(200, 300);

    // Act
    const n = firstCut(entries, (k) => 45_000 - (k - 1) * 300);

    // Assess: the record it cuts at bills fewer KB per event than the first full KB would.
    expect(n).toBeDefined();
    const firstKb = firstCut(entries, () => 0) as number;
    const cut = recordOf(entries.slice(0, n));
    expect(billedKb(cut)).toBeGreaterThan(1);
    expect(billedKb(cut) / (n as number)).toBeLessThan(1 / firstKb);
  });

  it('never cuts a plain record: one event is what aggregating is for', () => {
    const [one] = storeEntries(1, 3_000);
    expect(billingCutDue([one as never], toUser, undefined, 0)).toBe(false);
  });
});
