/**
 * `npm run test:faults`: every fault scenario against a fresh embedded stack (real edge daemon
 * processes, real emulators, fault-injecting proxies), compared with the simulator's ground
 * truth. Prints a table and, as its last line, one JSON object. Exits 1 unless lost,
 * double-counted and wrongly dead-lettered are all zero.
 *
 *   --scale N       share of the full event counts (default 1: 100,000 events for kill -9)
 *   --only TEXT     run the scenarios whose name contains TEXT
 */
import { parseArgs } from 'node:util';
import type { ScenarioResult } from './harness.js';
import { runInProcess } from './in-process.js';
import { scenarios } from './scenarios.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');
const chosen = scenarios(scale)
  .map((s, index) => ({ s, index }))
  .filter(
    ({ s }) =>
      values.only === undefined || s.name.toLowerCase().includes(values.only.toLowerCase()),
  );

const started = performance.now();
const results: ScenarioResult[] = [];
const columns = [
  ['scenario', 32],
  ['accepted', 10],
  ['delivered', 10],
  ['lost', 6],
  ['double', 8],
  ['dead-lettered', 14],
  ['expected DL', 12],
  ['wrong DL', 9],
  ['drain s', 8],
  ['exact', 6],
] as const;
console.log(columns.map(([c, w]) => c.padEnd(w)).join(''));
for (const { index } of chosen) {
  const result = await runInProcess(index, scale);
  results.push(result);
  const row = [
    result.scenario,
    result.accepted,
    result.delivered,
    result.lost,
    result.doubleCounted,
    result.deadLettered,
    result.expectedDeadLettered,
    result.wronglyDeadLettered,
    result.secondsToDrain,
    result.exact ? 'yes' : 'NO',
  ];
  console.log(row.map((v, j) => String(v).padEnd(columns[j]?.[1] ?? 8)).join(''));
  console.log(`   ${result.notes}`);
}
const summary = {
  scenarios: results.length,
  lost: results.reduce((s, r) => s + r.lost, 0),
  doubleCounted: results.reduce((s, r) => s + r.doubleCounted, 0),
  wronglyDeadLettered: results.reduce((s, r) => s + r.wronglyDeadLettered, 0),
  missingDeadLetters: results.reduce(
    (s, r) => s + Math.max(0, r.expectedDeadLettered - (r.deadLettered - r.wronglyDeadLettered)),
    0,
  ),
  inexact: results.filter((r) => !r.exact).map((r) => r.scenario),
  seconds: Math.round((performance.now() - started) / 1000),
};
console.log(JSON.stringify(summary));
process.exit(
  summary.lost +
    summary.doubleCounted +
    summary.wronglyDeadLettered +
    summary.missingDeadLetters ===
    0 && summary.inexact.length === 0
    ? 0
    : 1,
);
