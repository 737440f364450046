/**
 * `npm run soak -- --minutes 10 [--rate 200] [--stores 600] [--lanes 40]
 * [--incidents-per-team-hour 60] [--day-minutes 1]`: steady load through the whole stack, each
 * part in a process of its own: the emulators (standing in for AWS), the stack (event source,
 * processor, archive consumer, API), a real edge daemon, and this load driver (the simulator
 * and its ground truth). The default fleet sends what issue 6's fleet sends per store (30
 * events per lane-hour of the run), not 50 times more. Steady load includes aggregates of a
 * steady size: the events play a compressed calendar, a store day per `--day-minutes` of the
 * run, back-dated inside the processor's event-time window (soak-calendar.ts); with
 * `--day-minutes 0` they carry the real clock and every store day's items grow all run long.
 *
 * Samples memory every 2 s: each process's resident memory, and for the stack what it retains
 * after a full collection (it runs with --expose-gc and collects every 5 s; see
 * soak-stack.ts). Target: the stack's retained memory and the daemon's resident memory grow
 * no more than 10% after a two-minute warm-up (mean of the first minute after it against the
 * mean of the last), the iterator age stays bounded, the totals are exact. The emulators'
 * memory is reported, not judged (they keep every record and item, as AWS would on disk).
 * It also checks that the emulator never serves an item older than its last write
 * (emulator-read-check.ts) and counts the children's warnings; a stale read or a gap error in
 * the stack fails the run. The last line is JSON. Environment variables (MALLOC_*, LD_PRELOAD) reach every process.
 * SOAK_DEBUG=1 prints the stack's own memory report at each row (SOAK_DEBUG=items adds the
 * largest aggregate item of each kind).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { sleep } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { LocalSigners } from '../../infra/local/local-signers.js';
import { registerFleet } from '../../infra/local/local-simulation.js';
import { DAEMON_NODE_FLAGS, spawnDaemon } from '../helpers/daemon-process.js';
import { DAY_MS, defaultDayMinutes, soakCalendar } from './soak-calendar.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    stores: { type: 'string', default: '600' },
    lanes: { type: 'string', default: '40' },
    'incidents-per-team-hour': { type: 'string', default: '60' },
    // One store day every N minutes of the run (0: the real clock); see soak-calendar.ts.
    'day-minutes': { type: 'string' },
    // Diagnosis: the daemon sends one event per record, not gzipped aggregates, which takes
    // zlib and deaggregation out of the processor's path.
    'no-aggregate': { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const stores = Number(values.stores);
const lanes = Number(values.lanes);
const incidentsPerTeamHour = Number(values['incidents-per-team-hour']);
// The calendar is checked here, before a minute of set-up; it starts with the load.
const dayMinutes =
  values['day-minutes'] === undefined ? defaultDayMinutes(minutes) : Number(values['day-minutes']);
soakCalendar({ minutes, dayMinutes });
for (const [flag, v] of Object.entries({
  minutes,
  rate,
  stores,
  lanes,
  'incidents-per-team-hour': incidentsPerTeamHour,
}))
  if (!(v > 0)) throw new Error(`--${flag} must be a positive number`);

// The stack's full collections come this often; its retained memory is read after each.
const GC_EVERY_MS = 5_000;
const round = (n: number) => Math.round(n * 10) / 10;
const rssMb = (pid: number | undefined) => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return round(Number(kb ?? 0) / 1024);
};
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sfi-soak-'));

// Children die with the soak, however it ends (an error, Ctrl-C).
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

/**
 * What the children warn about, counted by message and error name (JSON log lines on their
 * stderr: the processor logs a warning per home item it could not commit). A few warnings of
 * contention are normal; a gap error means an aggregate skipped a version (see
 * docs/reliability.md, "The soak's own checks").
 */
const warnings = new Map<string, number>();
let firstWarning: string | undefined;
function countWarnings(proc: ChildProcess): void {
  let buffer = '';
  proc.stderr?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.startsWith('{')) continue;
      try {
        const log = JSON.parse(line) as {
          level?: string;
          message?: string;
          error?: { name?: string };
        };
        if (log.level !== 'WARN' && log.level !== 'ERROR') continue;
        const key = `${log.message}${log.error?.name === undefined ? '' : `: ${log.error.name}`}`;
        warnings.set(key, (warnings.get(key) ?? 0) + 1);
        firstWarning ??= line.slice(0, 600);
      } catch {
        // Not a log line.
      }
    }
  });
}

/**
 * Starts a child and resolves with its first stdout line, parsed; `latest()` is its newest line
 * since (only that is kept: the stack prints a report a second for the whole run). Its
 * warnings and errors are counted (countWarnings).
 */
function child<T>(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ proc: ChildProcess; first: T; latest: () => string | undefined }> {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
  });
  children.push(proc);
  countWarnings(proc);
  let last: string | undefined;
  const latest = () => last;
  return new Promise((resolve) => {
    let buffer = '';
    let resolved = false;
    proc.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        if (!resolved) {
          resolved = true;
          resolve({ proc, first: JSON.parse(line) as T, latest });
        } else last = line;
      }
    });
  });
}

// 1. The emulators, 2. the stack, 3. the daemon.
const emulators = await child<{ kinesisEndpoint: string; dynamodbEndpoint: string }>([
  '--import',
  'tsx',
  '--input-type=module',
  '-e',
  `import { startEmulators } from ${JSON.stringify(here('../../infra/local/emulators.ts'))};
   import { installEmulatorReadCheck } from ${JSON.stringify(here('./emulator-read-check.ts'))};
   const reads = installEmulatorReadCheck((location) => location.includes('dynamodb'));
   const e = await startEmulators({ dataDir: ${JSON.stringify(join(dir, 'emulators'))}, kinesisPort: 0, dynamodbPort: 0 });
   console.log(JSON.stringify({ kinesisEndpoint: e.kinesisEndpoint, dynamodbEndpoint: e.dynamodbEndpoint }));
   setInterval(() => console.log(JSON.stringify(reads)), 1_000);`,
]);
const { kinesisEndpoint, dynamodbEndpoint } = emulators.first;
const stack = await child<{ apiUrl: string; token: string }>(
  ['--expose-gc', '--import', 'tsx', here('./soak-stack.ts'), kinesisEndpoint, dynamodbEndpoint],
  { SOAK_GC_EVERY_MS: String(GC_EVERY_MS) },
);
const fleet = defineFleet({ stores, lanesPerStore: lanes, seed: 42 });
const dynamodb = new DynamoDBClient({
  endpoint: dynamodbEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
// Every device's key (from a seed of the run's), registered and in the relay's keyring.
const signers = LocalSigners.open(join(dir, 'signing-seed'));
await registerFleet(dynamodb, fleet, TABLES.registry.localName, signers);
const keyringFile = join(dir, 'keyring.json');
signers.writeKeyring(keyringFile, [
  ...fleet.panels.map((p) => p.deviceId),
  ...fleet.agents.map((a) => a.deviceId),
]);
const configFile = join(dir, 'edge.json');
writeFileSync(
  configFile,
  JSON.stringify({
    streamName: TELEMETRY_STREAM.localName,
    endpoint: kinesisEndpoint,
    region: 'us-east-1',
    spool: { dir: join(dir, 'spool') },
    // One daemon forwards the whole simulated fleet, each event with its own deviceId and
    // seq, each record signed as its events' device.
    relay: true,
    signing: { keyringFile },
    http: { port: 0 },
    stdin: false,
    statusIntervalMs: 60_000,
    aggregate: !values['no-aggregate'],
  }),
);
// With the heap limits its npm script sets on a panel PC (package.json, "edge-client").
const daemon = await spawnDaemon(configFile, {}, DAEMON_NODE_FLAGS);
children.push(daemon.child);
const calendar = soakCalendar({ minutes, dayMinutes });
const simulator = new FleetSimulator({
  fleet,
  seed: 42,
  baselines: DEFAULT_BASELINES,
  resendRate: 0,
  incidentShare: (incidentsPerTeamHour * fleet.agents.length) / 3600 / rate,
  now: calendar.now,
});
console.log(
  `${rate} events/s over ${stores} stores x ${lanes} lanes (${round((rate * 3600) / (stores * lanes))} events per lane-hour of the run), ${incidentsPerTeamHour} incidents per team-hour; ${dayMinutes === 0 ? 'real clock: store days grow all run long' : `a store day every ${dayMinutes} min (about ${round((rate * dayMinutes * 60) / stores)} events per store day), from ${new Date(calendar.start).toISOString().slice(0, 10)}`}`,
);

async function post(events: unknown[]): Promise<void> {
  const body = events.map((e) => JSON.stringify(e)).join('\n');
  for (;;) {
    const res = await fetch(`${daemon.url}/events`, { method: 'POST', body });
    await res.body?.cancel();
    if (res.status === 202) return;
    await sleep(50);
  }
}
async function impact() {
  const to = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10);
  const from = new Date(calendar.start - 2 * DAY_MS).toISOString().slice(0, 10);
  const res = await fetch(`${stack.first.apiUrl}/v1/impact?from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${stack.first.token}` },
  });
  return (await res.json()) as {
    shrink: Record<string, unknown>;
    hoursSaved: Record<string, unknown>;
  };
}
/** The stack's latest report: its iterator age and what it retained after its last full GC. */
const stackReport = () => {
  const last = stack.latest();
  const r =
    last === undefined
      ? undefined
      : (JSON.parse(last) as { iteratorAgeMs: number; afterGc?: { retainedMb: number } });
  return { iteratorAgeMs: r?.iteratorAgeMs ?? 0, retainedMb: r?.afterGc?.retainedMb ?? 0 };
};

/** Debug only: the largest aggregate item of each kind (sort-key prefix), in KB of JSON. */
async function largestItems(): Promise<string> {
  const largest = new Map<string, number>();
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: TABLES.aggregates.localName, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      const kind = `${item.pk?.S?.split('#')[0]}|${item.sk?.S?.split('#')[0]}`;
      largest.set(kind, Math.max(largest.get(kind) ?? 0, JSON.stringify(item).length));
    }
    start = page.LastEvaluatedKey as typeof start;
  } while (start !== undefined);
  return [...largest].map(([k, v]) => `${k} ${round(v / 1024)} KB`).join(', ');
}

type Sample = {
  atS: number;
  stackMb: number;
  stackRetainedMb: number;
  daemonMb: number;
  emulatorsMb: number;
  driverMb: number;
  iteratorAgeMs: number;
  events: number;
};
const samples: Sample[] = [];
const durationMs = minutes * 60_000;
// Two minutes: the processor's registry cache holds an entry for up to its one-minute TTL plus
// the one-minute sweep, so its size settles only then (a fleet of 24,000 devices).
const warmupMs = Math.min(120_000, durationMs / 5);
const started = Date.now();
// Resident memory saws up and down with garbage collection (by 100 MB in the stack), so it is
// sampled often and judged on means; a row is printed every 10 s.
const sampleMs = 2_000;
let nextSample = started;
let sent = 0;
const tickMs = 250;
console.log(
  '   t s   stack MB   stack retained MB   daemon MB   emulators MB   driver MB   iterator age ms   events sent',
);
/** Records one sample; prints every fifth as a row (with SOAK_DEBUG, the stack's report). */
async function takeSample(): Promise<void> {
  const report = stackReport();
  const s: Sample = {
    atS: Math.round((Date.now() - started) / 1000),
    stackMb: rssMb(stack.proc.pid),
    stackRetainedMb: report.retainedMb,
    daemonMb: rssMb(daemon.child.pid),
    emulatorsMb: rssMb(emulators.proc.pid),
    driverMb: rssMb(process.pid),
    iteratorAgeMs: report.iteratorAgeMs,
    events: sent,
  };
  samples.push(s);
  if (samples.length % 5 !== 1) return;
  // The stack's report carries its own split of resident memory (soak-stack.ts).
  if (process.env.SOAK_DEBUG !== undefined) {
    console.log(stack.latest(), process.env.SOAK_DEBUG === 'items' ? await largestItems() : '');
  }
  console.log(
    [
      s.atS,
      s.stackMb,
      s.stackRetainedMb,
      s.daemonMb,
      s.emulatorsMb,
      s.driverMb,
      s.iteratorAgeMs,
      s.events,
    ]
      .map((v, i) => String(v).padStart([6, 8, 17, 9, 12, 9, 15, 12][i] ?? 8))
      .join('   '),
  );
}

while (Date.now() - started < durationMs) {
  const tick = Date.now();
  const events = simulator.next(Math.max(1, Math.round((rate * tickMs) / 1000)));
  await post(events);
  simulator.acknowledge(events);
  sent += events.length;
  if (Date.now() >= nextSample) {
    nextSample += sampleMs;
    await takeSample();
  }
  await sleep(Math.max(0, tickMs - (Date.now() - tick)));
}
// Outcomes still pending go out in request-sized chunks (the daemon takes at most 1 MiB).
const pending = simulator.drainPending();
for (let i = 0; i < pending.length; i += 500) {
  const chunk = pending.slice(i, i + 500);
  await post(chunk);
  simulator.acknowledge(chunk);
}

// Drain, then compare with the ground truth.
const truth = simulator.truth();
let exact = false;
const deadline = Date.now() + 120_000;
while (!exact && Date.now() < deadline) {
  const body = await impact();
  exact =
    Object.entries(truth.shrink).every(([k, v]) => typeof v !== 'number' || body.shrink[k] === v) &&
    Object.entries(truth.hours).every(
      ([k, v]) => typeof v !== 'number' || body.hoursSaved?.[k] === v,
    );
  if (!exact) await sleep(500);
}
dynamodb.destroy();
daemon.child.kill('SIGTERM');
stack.proc.kill('SIGTERM');
await sleep(1_000);
emulators.proc.kill();
rmSync(dir, { recursive: true, force: true });

const afterWarmup = samples.filter((s) => s.atS * 1000 >= warmupMs);
if (afterWarmup.length < 2) throw new Error('too few samples after warm-up: run longer');
// Memory swings with garbage collection; compare the mean of the first minute after warm-up
// with the mean of the last minute, not two single samples.
const firstAt = afterWarmup[0]?.atS ?? 0;
const lastAt = afterWarmup.at(-1)?.atS ?? 0;
const windowS = Math.min(60, (lastAt - firstAt) / 2);
const firstWindow = afterWarmup.filter((r) => r.atS < firstAt + windowS);
const lastWindow = afterWarmup.filter((r) => r.atS > lastAt - windowS);
const mean = (rows: Sample[], key: keyof Sample) =>
  round(rows.reduce((sum, r) => sum + r[key], 0) / rows.length);
const growth = (key: 'stackMb' | 'stackRetainedMb' | 'daemonMb' | 'emulatorsMb' | 'driverMb') => {
  const warmMb = mean(firstWindow, key);
  const endMb = mean(lastWindow, key);
  return { warmMb, endMb, growthPct: round(((endMb - warmMb) / warmMb) * 100) };
};
const ages = afterWarmup.map((s) => s.iteratorAgeMs);
const half = Math.floor(ages.length / 2);
const summary = {
  minutes,
  dayMinutes,
  rate,
  stores,
  lanes,
  incidentsPerTeamHour,
  events: sent,
  stack: growth('stackMb'),
  stackRetained: growth('stackRetainedMb'),
  daemon: growth('daemonMb'),
  emulators: growth('emulatorsMb'),
  driver: growth('driverMb'),
  iteratorAgeMs: {
    max: Math.max(0, ...ages),
    firstHalfMax: Math.max(0, ...ages.slice(0, half)),
    secondHalfMax: Math.max(0, ...ages.slice(half)),
  },
  exact,
  emulatorReads: JSON.parse(emulators.latest() ?? '{}') as {
    checked?: number;
    stale?: number;
    firstStale?: string;
  },
  warnings: Object.fromEntries(warnings),
};
const gapErrors = [...warnings]
  .filter(([key]) => /GapError/.test(key))
  .reduce((sum, [, n]) => sum + n, 0);
const bounded =
  summary.iteratorAgeMs.max < 30_000 &&
  summary.iteratorAgeMs.secondHalfMax <= Math.max(5_000, summary.iteratorAgeMs.firstHalfMax * 2);
// The stack is judged on what it retains (see soak-stack.ts): its resident memory follows
// the collector's heap sizing under its allocation rate (docs/reliability.md). The daemon, on
// a panel PC's heap limits, is judged on resident memory itself.
// The soak also holds the stack to its invariants and the emulator to DynamoDB's consistent
// reads: no gap errors, and no read of an item older than its last write.
const passed =
  summary.stackRetained.growthPct <= 10 &&
  summary.daemon.growthPct <= 10 &&
  bounded &&
  exact &&
  gapErrors === 0 &&
  (summary.emulatorReads.checked ?? 0) > 0 &&
  summary.emulatorReads.stale === 0;
const line = (name: string, g: ReturnType<typeof growth>) =>
  `${name} ${g.warmMb} -> ${g.endMb} MB (${g.growthPct}%)`;
console.log(
  `first minute after warm-up -> last minute (means): ${line('stack retained', summary.stackRetained)}, ${line('daemon', summary.daemon)}; not judged: ${line('stack resident', summary.stack)}, ${line('emulators', summary.emulators)}; iterator age max ${summary.iteratorAgeMs.max} ms; exact: ${exact}`,
);
console.log(
  `emulator reads checked ${summary.emulatorReads.checked}, stale ${summary.emulatorReads.stale}${summary.emulatorReads.firstStale === undefined ? '' : ` (first ${summary.emulatorReads.firstStale})`}; warnings ${warnings.size === 0 ? 'none' : JSON.stringify(summary.warnings)}${firstWarning === undefined ? '' : `; first: ${firstWarning}`}`,
);
console.log(JSON.stringify({ ...summary, passed }));
process.exit(passed ? 0 : 1);
