/**
 * `npm run bench:edge-artifact`: the daemon as `npm run build:edge` ships it (one bundle run by
 * a plain node, on this node and on each binary in EDGE_ARTIFACT_NODES) against the daemon as
 * `npm run edge-client` runs it (TypeScript under tsx, from the repository), in the same run,
 * with the same heap flags and config (signing on): start-up time (spawn to the ready line,
 * whose HTTP intake then answers), RSS idle, and RSS while the vision side posts 1,000 events/s
 * over HTTP for 30 s to the local Kinesis emulator; and the artifact's size against the
 * node_modules the tsx-run daemon needs. Start-up is also given for the same node running
 * nothing (`node -e 0`), the floor on a loaded machine, and as the CPU time the daemon used
 * until it was ready, which other work on the machine does not inflate. Prints a table and,
 * last, one JSON line. Options: --seconds (30), --rate (1000 events/s), --starts (5), --only
 * (run only the variants whose label has this in it, e.g. `v22`). To screen a change to the unit
 * before shipping it, EDGE_ARTIFACT_FLAGS adds node flags and EDGE_ARTIFACT_ENV environment
 * variables (`NAME=value`, space separated) to every daemon the bench starts.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { createKinesisClient, sleep } from '#edge-client';
import { startEmulators } from '../../infra/local/emulators.js';
import {
  buildEdgeArtifact,
  daemonNodeFlags,
  EDGE_BUNDLE,
} from '../../infra/tools/edge-artifact.js';
import { type BuiltDaemon, type DaemonProcess, spawnDaemon } from '../helpers/daemon-process.js';
import { postedDetection } from '../helpers/factories.js';
import { ROOT } from './bundles.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '1000' },
    starts: { type: 'string', default: '5' },
    // Screening: only the variants whose label has this in it (e.g. `v22`).
    only: { type: 'string', default: '' },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const starts = Number(values.starts);
const STREAM = 'bench-edge-artifact';
const DEVICE = 'panel-bench-lane-01';
const TICK_MS = 50;

const dir = mkdtempSync(join(tmpdir(), 'bench-edge-artifact-'));
const artifact = await buildEdgeArtifact(join(dir, 'edge'));
const nodes = [
  process.execPath,
  ...(process.env.EDGE_ARTIFACT_NODES ?? '').split(delimiter).filter((n) => n !== ''),
];
const versionOf = (node: string) =>
  execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
const variants: { label: string; built?: BuiltDaemon }[] = [
  { label: `tsx, ${process.version}` },
  ...nodes.map((node) => ({
    label: `bundle, ${versionOf(node)}`,
    built: { node, script: EDGE_BUNDLE, cwd: artifact.dir },
  })),
].filter((v) => v.label.includes(values.only ?? ''));
/** The unit's flags and environment, plus any being screened (see the top of the file). */
const nodeFlags = [
  ...daemonNodeFlags(),
  ...(process.env.EDGE_ARTIFACT_FLAGS ?? '').split(' ').filter((f) => f !== ''),
];
const daemonEnv = Object.fromEntries(
  (process.env.EDGE_ARTIFACT_ENV ?? '')
    .split(' ')
    .filter((p) => p.includes('='))
    .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
);

const emulators = await startEmulators({
  dataDir: join(dir, 'emulators'),
  kinesisPort: 0,
  dynamodbPort: 0,
});
const kinesis = createKinesisClient({
  endpoint: emulators.kinesisEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
await waitUntilStreamExists(
  { client: kinesis, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
  { StreamName: STREAM },
);
kinesis.destroy();
const keyFile = join(dir, 'signing.key.pem');
writeFileSync(
  keyFile,
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
  { mode: 0o600 },
);

/** A fresh config (and spool) for one daemon start. */
let configs = 0;
function config(): string {
  const file = join(dir, `edge-${++configs}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      streamName: STREAM,
      endpoint: emulators.kinesisEndpoint,
      region: 'us-east-1',
      deviceId: DEVICE,
      signing: { keyId: 'k1', keyFile },
      spool: { dir: join(dir, `spool-${configs}`) },
      http: { port: 0 },
      stdin: false,
      statusIntervalMs: 60_000,
    }),
  );
  return file;
}

/** The process's resident set, from /proc (Linux), in MB. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

const CLOCK_TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU time (user and system) the process has used, from /proc (Linux), in ms. */
function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

async function stop(daemon: DaemonProcess) {
  daemon.child.kill('SIGTERM');
  await daemon.exited;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function detections(count: number) {
  return Array.from({ length: count }, () => JSON.stringify(postedDetection('store-bench'))).join(
    '\n',
  );
}

/** Posts `rate` events a second for `seconds` (a batch every TICK_MS), sampling RSS. */
async function load(daemon: DaemonProcess) {
  const pid = daemon.child.pid as number;
  const samples: number[] = [];
  const started = performance.now();
  let posted = 0;
  let refused = 0;
  let postSeconds = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.round(((performance.now() - started) / 1000) * rate) - posted;
    if (due > 0) {
      const res = await fetch(`${daemon.url}/events`, { method: 'POST', body: detections(due) });
      await res.arrayBuffer();
      if (res.status === 202) posted += due;
      else refused += 1;
      postSeconds = (performance.now() - started) / 1000;
    }
    samples.push(rssMb(pid));
    await sleep(TICK_MS);
  }
  let m = { sent: 0, oldestEventAgeMs: 1 };
  for (let i = 0; i < 600 && (m.sent < posted || m.oldestEventAgeMs > 0); i++) {
    m = (await (await fetch(`${daemon.url}/status`)).json()) as typeof m;
    if (m.sent < posted) await sleep(100);
  }
  return {
    posted,
    refused,
    sent: m.sent,
    eventsPerSec: Math.round(posted / postSeconds),
    rssMaxMb: round(Math.max(...samples)),
    rssMedianMb: round(median(samples)),
  };
}

const results: Record<string, unknown>[] = [];
try {
  for (const v of variants) {
    console.error(`${v.label}: ${starts} starts...`);
    const node = v.built?.node ?? process.execPath;
    const bareMs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const t = performance.now();
      execFileSync(node, ['-e', '0']);
      bareMs.push(performance.now() - t);
    }
    const startupMs: number[] = [];
    const startupCpuMs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const daemon = await spawnDaemon(config(), daemonEnv, nodeFlags, v.built);
      startupCpuMs.push(cpuMs(daemon.child.pid as number));
      const res = await fetch(`${daemon.url}/status`); // the intake answers
      await res.arrayBuffer();
      startupMs.push(daemon.startupMs);
      await stop(daemon);
    }
    const daemon = await spawnDaemon(config(), daemonEnv, nodeFlags, v.built);
    await sleep(3_000);
    const idleRssMb = round(rssMb(daemon.child.pid as number));
    console.error(`${v.label}: ${rate} events/s for ${seconds} s...`);
    const loaded = await load(daemon);
    await stop(daemon);
    results.push({
      variant: v.label,
      startupMsMedian: Math.round(median(startupMs)),
      startupMsMin: Math.round(Math.min(...startupMs)),
      bareNodeMsMedian: Math.round(median(bareMs)),
      startupCpuMsMedian: Math.round(median(startupCpuMs)),
      idleRssMb,
      ...loaded,
    });
  }
} finally {
  await emulators.close();
}

const bundleBytes = artifact.files.find((f) => f.name === EDGE_BUNDLE)?.bytes ?? 0;
const folderBytes = artifact.files.reduce((sum, f) => sum + f.bytes, 0);
const nodeModulesBytes =
  Number(
    execFileSync('du', ['-sk', join(ROOT, 'node_modules')], { encoding: 'utf8' }).split('\t')[0],
  ) * 1024;
rmSync(dir, { recursive: true, force: true });

const rows: [string, string][] = [
  ['start-up: spawn to ready, median (min) ms', 'startup'],
  ['bare node start (node -e 0), median ms', 'bareNodeMsMedian'],
  ['CPU used until ready, median ms', 'startupCpuMsMedian'],
  ['RSS idle (MB)', 'idleRssMb'],
  [`RSS at ${rate} events/s, max (median) MB`, 'rss'],
  ['events/s posted; all sent?', 'rate'],
];
const cell = (r: Record<string, unknown>, key: string) =>
  key === 'startup'
    ? `${r.startupMsMedian} (${r.startupMsMin})`
    : key === 'rss'
      ? `${r.rssMaxMb} (${r.rssMedianMb})`
      : key === 'rate'
        ? `${r.eventsPerSec}; ${r.sent === r.posted && r.refused === 0 ? 'yes' : `no: ${r.sent}/${r.posted} sent, ${r.refused} refused posts`}`
        : String(r[key]);
console.log(
  ['', ...results.map((r) => r.variant)]
    .map((c, i) => String(c).padEnd(i === 0 ? 44 : 22))
    .join(''),
);
for (const [label, key] of rows)
  console.log(
    [label, ...results.map((r) => cell(r, key))]
      .map((c, i) => c.padEnd(i === 0 ? 44 : 22))
      .join(''),
  );
console.log(
  `size: bundle ${round(bundleBytes / 1024)} KiB, the whole folder ${round(folderBytes / 1024)} KiB; the tsx-run daemon needs the repository's node_modules, ${round(nodeModulesBytes / 1024 ** 2)} MiB`,
);
console.log(JSON.stringify({ results, bundleBytes, folderBytes, nodeModulesBytes, seconds, rate }));
