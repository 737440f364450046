/**
 * `npm run bench:edge`: the same simulated events sent three times into the local Kinesis
 * emulator, one event per record (the baseline), KPL-aggregated and gzipped (the edge client
 * before issue 19) and KPL-aggregated with the default compression (dictionary-deflate), each
 * in its own process; then the spool filled to 1 GB while Kinesis is unreachable, to measure
 * memory with a full spool; then, in process, each compression's bytes and CPU per event for
 * a store gateway's records and for this run's. Prints a table and, last, one JSON line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { defineFleet, FleetSimulator } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { startEmulators } from '../../infra/local/emulators.js';
import { daemonNodeFlags } from '../../infra/tools/daemon-flags.js';
import { compressionCost } from './compression-cost.js';
import { signingCost } from './signing-cost.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    'spool-gb': { type: 'string', default: '1' },
  },
});
const events = Number(values.events);
const spoolBytes = Math.round(Number(values['spool-gb']) * 1024 ** 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
// The worker runs as one bundled file under plain node, as the daemon would on a panel PC
// (no TypeScript loader in memory).
const worker = join(dir, 'edge-worker.mjs');
await build({
  entryPoints: [fileURLToPath(new URL('./edge-worker.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: worker,
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

/** The Node flags a panel PC runs the daemon with (package.json's `edge-client`, the unit). */
export const DAEMON_NODE_FLAGS = daemonNodeFlags();

/** Runs a worker process; asynchronously, because the Kinesis emulator lives in this one. */
async function run(args: string[]) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...DAEMON_NODE_FLAGS, worker, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 1024 ** 2,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, number>;
}

const emulators = await startEmulators({
  dataDir: join(dir, 'emulators'),
  kinesisPort: 0,
  dynamodbPort: 0,
});
let baseline: Record<string, number>;
let aggregated: Record<string, number>;
let gzipped: Record<string, number>;
try {
  console.error(`sending ${events} events, one per record (baseline)...`);
  baseline = await run([
    'send',
    emulators.kinesisEndpoint,
    'bench-baseline',
    String(events),
    '0',
    join(dir, 'spool-baseline'),
  ]);
  console.error(`sending ${events} events, aggregated, gzipped...`);
  gzipped = await run([
    'send',
    emulators.kinesisEndpoint,
    'bench-gzipped',
    String(events),
    'gzip',
    join(dir, 'spool-gzipped'),
  ]);
  console.error(`sending ${events} events, aggregated...`);
  aggregated = await run([
    'send',
    emulators.kinesisEndpoint,
    'bench-aggregated',
    String(events),
    '1',
    join(dir, 'spool-aggregated'),
  ]);
} finally {
  await emulators.close();
}
console.error(
  `filling the spool to ${(spoolBytes / 1024 ** 3).toFixed(2)} GiB with Kinesis unreachable...`,
);
const full = await run(['fill', join(dir, 'spool-full'), String(spoolBytes)]);
rmSync(dir, { recursive: true, force: true });

// Signing (issue 20): what a signing daemon adds per record, in process, on simulated events
// packed as this run's aggregated records are (and as a store gateway's, 10 a record).
const simulated = new FleetSimulator({
  fleet: defineFleet({ stores: 20, lanesPerStore: 8, seed: 5 }),
  seed: 5,
  baselines: DEFAULT_BASELINES,
}).next(20_000);
const perRecord = Math.max(
  1,
  Math.round((aggregated.events as number) / (aggregated.records as number)),
);
const signing = [...new Set([10, perRecord])].map((n) => signingCost(simulated, n));
// Compression (issue 19): each format on the same events, as a store gateway packs them (~9
// a record at the fleet's shape) and as this run's aggregated records.
const compression = [...new Set([9, perRecord])].flatMap((n) => compressionCost(simulated, n));

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const result = {
  signing: signing.map((s) => ({
    eventsPerRecord: s.eventsPerRecord,
    signMicrosPerRecord: s.signMicrosPerRecord,
  })),
  compression,
  events: aggregated.events as number,
  baselineRecords: baseline.records as number,
  records: aggregated.records as number,
  eventsPerRecord: round((aggregated.events as number) / (aggregated.records as number), 1),
  billedKbPerEvent: round((aggregated.billedKb as number) / (aggregated.events as number), 4),
  gzipRecords: gzipped.records as number,
  gzipBilledKbPerEvent: round((gzipped.billedKb as number) / (gzipped.events as number), 4),
  gzipEventsPerSec: Math.round((gzipped.events as number) / (gzipped.seconds as number)),
  baselineBilledKbPerEvent: round((baseline.billedKb as number) / (baseline.events as number), 4),
  eventsPerSec: Math.round((aggregated.events as number) / (aggregated.seconds as number)),
  baselineEventsPerSec: Math.round((baseline.events as number) / (baseline.seconds as number)),
  peakRssMb: full.peakRssMb as number,
  sendPeakRssMb: Math.max(
    baseline.peakRssMb as number,
    gzipped.peakRssMb as number,
    aggregated.peakRssMb as number,
  ),
  spoolBytesHeld: full.spoolBytes as number,
  spoolFillMbPerSec: round((full.spoolBytes as number) / 1024 ** 2 / (full.seconds as number), 1),
};
const rows = [
  ['', 'baseline (1 event/record)', 'aggregated, gzip', 'aggregated (dictionary)'],
  ['events delivered', baseline.events, gzipped.events, aggregated.events],
  ['Kinesis records', baseline.records, gzipped.records, aggregated.records],
  ['PutRecords requests', baseline.requests, gzipped.requests, aggregated.requests],
  [
    'billed KB per event',
    result.baselineBilledKbPerEvent,
    result.gzipBilledKbPerEvent,
    result.billedKbPerEvent,
  ],
  ['events per second', result.baselineEventsPerSec, result.gzipEventsPerSec, result.eventsPerSec],
  ['peak RSS while sending (MB)', baseline.peakRssMb, gzipped.peakRssMb, aggregated.peakRssMb],
];
for (const row of rows)
  console.log(row.map((c, i) => String(c).padEnd(i === 0 ? 30 : 28)).join(''));
console.log(
  `spool held ${(result.spoolBytesHeld / 1024 ** 3).toFixed(2)} GiB offline; peak RSS ${result.peakRssMb} MB; fill rate ${result.spoolFillMbPerSec} MB/s`,
);
console.log(
  `ratios: ${result.eventsPerRecord} events/record; billed KB ${round(result.baselineBilledKbPerEvent / result.billedKbPerEvent, 1)}x less; throughput ${round(result.eventsPerSec / result.baselineEventsPerSec, 1)}x baseline`,
);
for (const c of compression)
  console.log(
    `compression: ${c.format} at ${c.eventsPerRecord} events a record: ${c.bytesPerEvent} bytes an event, ${c.compressMsPer1000Events} ms CPU to compress and ${c.inflateMsPer1000Events} ms to inflate 1,000 events`,
  );
for (const s of signing)
  console.log(
    `signing: ${s.signMicrosPerRecord} µs CPU a record of ${s.eventsPerRecord} events (${round(s.signMicrosPerRecord / s.eventsPerRecord, 1)} µs an event)`,
  );
console.log(JSON.stringify(result));
