/**
 * `npm run soak -- --minutes 10 [--rate 200]`: steady load through the whole stack (a real
 * edge daemon process, the emulators, the event source and the processor, the API) for a
 * while. Reports the resident memory of each process after warm-up and at the end, and the
 * processor's iterator age over the run. Target: no growth past 10% after warm-up, lag bounded.
 * The last line is JSON.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Harness } from './harness.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0)) throw new Error('--minutes and --rate must be positive');

const rssMb = (pid?: number) => {
  if (pid === undefined) return process.memoryUsage().rss / 1_048_576;
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
};
const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const h = new Harness(
  { name: 'soak', proves: 'steady state', events: 0, run: async () => undefined },
  42,
);
await h.start();
const durationMs = minutes * 60_000;
const warmupMs = Math.min(60_000, durationMs / 5);
const started = Date.now();
type Sample = {
  atS: number;
  stackMb: number;
  daemonMb: number;
  iteratorAgeMs: number;
  events: number;
};
const samples: Sample[] = [];
let nextSample = started;
const tickMs = 250;
let sent = 0;
console.log('   t s   stack MB   daemon MB   iterator age ms   events sent');
while (Date.now() - started < durationMs) {
  const tick = Date.now();
  const count = Math.max(1, Math.round((rate * tickMs) / 1000));
  await h.feed(h.nextEvents(count), undefined, count);
  sent += count;
  if (Date.now() >= nextSample) {
    nextSample += 10_000;
    global.gc?.();
    const s: Sample = {
      atS: Math.round((Date.now() - started) / 1000),
      stackMb: round(rssMb()),
      daemonMb: round(rssMb(h.daemon.child.pid)),
      iteratorAgeMs: h.stack.iteratorAgeMs(),
      events: sent,
    };
    samples.push(s);
    console.log(
      `${String(s.atS).padStart(6)}   ${String(s.stackMb).padStart(8)}   ${String(s.daemonMb).padStart(9)}   ${String(s.iteratorAgeMs).padStart(15)}   ${s.events}`,
    );
  }
  await sleep(Math.max(0, tickMs - (Date.now() - tick)));
}
const drainSeconds = await h.drain(120_000);
const result = await h.measure(drainSeconds);
await h.stop();

const afterWarmup = samples.filter((s) => s.atS * 1000 >= warmupMs);
const first = afterWarmup[0] ?? samples[0];
const last = samples.at(-1);
if (first === undefined || last === undefined) throw new Error('no samples: run longer');
const growth = (a: number, b: number) => round(((b - a) / a) * 100);
const ages = afterWarmup.map((s) => s.iteratorAgeMs);
const half = Math.floor(ages.length / 2);
const summary = {
  minutes,
  rate,
  events: sent,
  stack: {
    warmMb: first.stackMb,
    endMb: last.stackMb,
    growthPct: growth(first.stackMb, last.stackMb),
  },
  daemon: {
    warmMb: first.daemonMb,
    endMb: last.daemonMb,
    growthPct: growth(first.daemonMb, last.daemonMb),
  },
  iteratorAgeMs: {
    max: Math.max(0, ...ages),
    firstHalfMax: Math.max(0, ...ages.slice(0, half)),
    secondHalfMax: Math.max(0, ...ages.slice(half)),
  },
  lost: result.lost,
  doubleCounted: result.doubleCounted,
  exact: result.exact,
};
const bounded =
  summary.iteratorAgeMs.max < 30_000 &&
  summary.iteratorAgeMs.secondHalfMax <= Math.max(5_000, summary.iteratorAgeMs.firstHalfMax * 2);
const passed =
  summary.stack.growthPct <= 10 && summary.daemon.growthPct <= 10 && bounded && result.exact;
console.log(
  `memory after warm-up -> end: stack ${first.stackMb} -> ${last.stackMb} MB (${summary.stack.growthPct}%), daemon ${first.daemonMb} -> ${last.daemonMb} MB (${summary.daemon.growthPct}%); iterator age max ${summary.iteratorAgeMs.max} ms; exact: ${result.exact}`,
);
console.log(JSON.stringify({ ...summary, passed }));
process.exit(passed ? 0 : 1);
