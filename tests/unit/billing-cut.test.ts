import { describe, expect, it } from 'vitest';
import { billedKb, billingCutDue, buildRecords } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';

/**
 * One store's events, as its gateway spools them, one every `gapMs`: the same bytes every run
 * (the simulator is seeded, and its clock here is too, so the ids' and instants' digits, which
 * decide how well a record compresses, do not change with the time the test runs).
 */
function storeEntries(count: number, gapMs: number, seed = 19) {
  const fleet = defineFleet({ stores: 1, lanesPerStore: 40, seed });
  let clock = Date.UTC(2026, 11, 2, 14) - gapMs;
  const simulator = new FleetSimulator({
    fleet,
    seed,
    baselines: DEFAULT_BASELINES,
    resendRate: 0,
    incidentShare: 0,
    now: () => {
      clock += gapMs;
      return clock;
    },
  });
  return simulator.next(count).map((e, i) => ({
    appendedAt: 1_000_000 + i * gapMs,
    payload: Buffer.from(JSON.stringify(e)),
  }));
}
const toUser = (e: { payload: Buffer }) => ({ partitionKey: 'store-0001', data: e.payload });
const recordOf = (entries: ReturnType<typeof storeEntries>) =>
  buildRecords(entries, toUser, undefined)[0] as Parameters<typeof billedKb>[0];

/**
 * The fewest events (from 2) at which the rule cuts, given the linger left after the last;
 * undefined if it lingers until the linger is up (the sender then puts what it holds).
 */
function firstCut(
  entries: ReturnType<typeof storeEntries>,
  lingerLeftMs: (n: number) => number,
  options: Parameters<typeof billingCutDue>[4] = {},
) {
  for (let n = 2; n <= entries.length && lingerLeftMs(n) > 0; n++)
    if (billingCutDue(entries.slice(0, n), toUser, undefined, lingerLeftMs(n), options)) return n;
  return undefined;
}

describe('Function: billingCutDue (size-aware flush)', () => {
  it('lingers while the next event still fits in the billed KB, and cuts just before the boundary', () => {
    // Prepare: a store's pace (one event every 3 s), a 90 s linger (long enough to fill a KB
    // of the dictionary format), 40 stores' events (seeds: their ids compress differently).
    const cuts: number[] = [];
    const fills: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const entries = storeEntries(60, 3_000, seed);

      // Act
      const n = firstCut(entries, (k) => 90_000 - (k - 1) * 3_000);

      // Assess: a record cut early never bills a second KB.
      let full = 1; // the most events whose record fits in one billed KB
      while (billedKb(recordOf(entries.slice(0, full + 1))) === 1) full++;
      fills.push(full);
      if (n === undefined) continue; // the next event was larger than the estimate: it crossed
      expect(billedKb(recordOf(entries.slice(0, n)))).toBe(1);
      expect(n * 3_000).toBeLessThan(90_000);
      cuts.push(n);
    }
    // Most records are cut at the boundary, and nearly full: within two events of what a KB
    // holds (~18 events in the dictionary format, ~11 in gzip).
    const mean = (xs: number[]) => xs.reduce((s, n) => s + n, 0) / xs.length;
    expect(cuts.length).toBeGreaterThanOrEqual(32);
    expect(mean(cuts)).toBeGreaterThanOrEqual(mean(fills) - 2);
  });

  it('crosses the boundary when enough events to make the bigger record cheaper will come in time', () => {
    // Prepare: ten times the pace, the same 45 s linger: the second KB fills long before it
    // ends. 20 stores' events (seeds), as in the test above.
    const cheaper: boolean[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const entries = storeEntries(200, 300, seed);

      // Act
      const n = firstCut(entries, (k) => 45_000 - (k - 1) * 300);

      // Assess: a record it cuts bills more than one KB, and fewer KB per event than the
      // first full KB would (undefined: the size estimate missed each boundary until the
      // linger ended, and the sender puts what it holds).
      if (n === undefined) continue;
      let firstKb = 1; // the most events whose record fits in one billed KB
      while (billedKb(recordOf(entries.slice(0, firstKb + 1))) === 1) firstKb++;
      const cut = recordOf(entries.slice(0, n));
      expect(billedKb(cut)).toBeGreaterThan(1);
      cheaper.push(billedKb(cut) / n < 1 / firstKb);
    }
    expect(cheaper.length).toBeGreaterThanOrEqual(16);
    expect(cheaper.every(Boolean)).toBe(true);
  });

  it('sizes a record with the compression it is sent with', () => {
    // Prepare: 10 stores' events, each as gzip and as dictionary-deflate records; a 75 s linger
    // at one event every 3 s, long enough to fill a KB of either.
    const cuts = { gzip: [] as number[], dictionary: [] as number[] };
    for (let seed = 1; seed <= 10; seed++) {
      const entries = storeEntries(30, 3_000, seed);
      for (const compress of ['gzip', 'dictionary'] as const) {
        // Act
        const n = firstCut(entries, (k) => 75_000 - (k - 1) * 3_000, { compress });

        // Assess: a cut is just before its own format's KB boundary.
        if (n === undefined) continue; // the next event was larger than the estimate
        const [record] = buildRecords(entries.slice(0, n), toUser, undefined, { compress });
        expect(billedKb(record as Parameters<typeof billedKb>[0])).toBe(1);
        cuts[compress].push(n);
      }
    }
    // A KB holds ~10 events gzipped, ~18 with the dictionary: the cuts say so.
    const mean = (xs: number[]) => xs.reduce((s, n) => s + n, 0) / xs.length;
    expect(Math.min(cuts.gzip.length, cuts.dictionary.length)).toBeGreaterThanOrEqual(5);
    expect(mean(cuts.dictionary)).toBeGreaterThan(mean(cuts.gzip) + 5);
  });

  it('never cuts a plain record: one event is what aggregating is for', () => {
    const [one] = storeEntries(1, 3_000);
    expect(billingCutDue([one as never], toUser, undefined, 0)).toBe(false);
  });
});
