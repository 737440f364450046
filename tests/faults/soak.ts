/**
 * `npm run soak -- --minutes 10 [--rate 200]`: steady load through the whole stack for a
 * while, each part in a process of its own: the emulators (standing in for AWS), the stack
 * (event source, processor, API), a real edge daemon, and this load driver (the simulator and
 * its ground truth). Samples each process's resident memory and the processor's iterator age
 * every 10 s and checks the totals at the end. Target: the stack and the daemon grow no more
 * than 10% after warm-up (mean of the first minute after it against the mean of the last), the iterator age stays bounded, the totals are exact. The emulators'
 * memory is reported, not judged (they keep every record and item, as AWS would on disk). The
 * last line is JSON. `--malloc-arena-max N` sets MALLOC_ARENA_MAX for the stack process;
 * SOAK_DEBUG=1 prints its anonymous and file-backed resident memory at each sample.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defineFleet, FleetSimulator } from '../../edge-client/src/simulator/index.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { DAEMON_NODE_FLAGS, spawnDaemon } from '../helpers/daemon-process.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'malloc-arena-max': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0)) throw new Error('--minutes and --rate must be positive');

const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number | undefined) => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return round(Number(kb ?? 0) / 1024);
};
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sfi-soak-'));

/** Starts a child and resolves with its first stdout line, parsed. */
function child<T>(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ proc: ChildProcess; first: T; lines: string[] }> {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
  });
  const lines: string[] = [];
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
          resolve({ proc, first: JSON.parse(line) as T, lines });
        } else lines.push(line);
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
   const e = await startEmulators({ dataDir: ${JSON.stringify(join(dir, 'emulators'))}, kinesisPort: 0, dynamodbPort: 0 });
   console.log(JSON.stringify({ kinesisEndpoint: e.kinesisEndpoint, dynamodbEndpoint: e.dynamodbEndpoint }));`,
]);
const { kinesisEndpoint, dynamodbEndpoint } = emulators.first;
const arenas = values['malloc-arena-max'];
const stack = await child<{ apiUrl: string; token: string }>(
  ['--import', 'tsx', here('./soak-stack.ts'), kinesisEndpoint, dynamodbEndpoint],
  arenas === undefined ? {} : { MALLOC_ARENA_MAX: arenas },
);
const fleet = defineFleet({ stores: 12, lanesPerStore: 4, seed: 42 });
const dynamodb = new DynamoDBClient({
  endpoint: dynamodbEndpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await putRegistryEntries(dynamodb, TABLES.registry.localName, {
  stores: fleet.stores.map(({ storeId, region, timeZone }) => ({ storeId, region, timeZone })),
  devices: [
    ...fleet.panels.map(({ deviceId, storeId }) => ({ deviceId, kind: 'panel' as const, storeId })),
    ...fleet.agents.map(({ deviceId, teamId }) => ({ deviceId, kind: 'agent' as const, teamId })),
  ],
});
dynamodb.destroy();
const configFile = join(dir, 'edge.json');
writeFileSync(
  configFile,
  JSON.stringify({
    streamName: TELEMETRY_STREAM.localName,
    endpoint: kinesisEndpoint,
    region: 'us-east-1',
    spool: { dir: join(dir, 'spool') },
    http: { port: 0 },
    stdin: false,
    statusIntervalMs: 60_000,
  }),
);
// With the heap limits its npm script sets on a panel PC (package.json, "edge-client").
const daemon = await spawnDaemon(configFile, {}, DAEMON_NODE_FLAGS);
const simulator = new FleetSimulator({
  fleet,
  seed: 42,
  baselines: DEFAULT_BASELINES,
  resendRate: 0,
});

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
  const to = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const res = await fetch(`${stack.first.apiUrl}/v1/impact?from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${stack.first.token}` },
  });
  return (await res.json()) as {
    shrink: Record<string, unknown>;
    hoursSaved: Record<string, unknown>;
  };
}
const iteratorAge = () => {
  const last = stack.lines.at(-1);
  return last === undefined ? 0 : (JSON.parse(last) as { iteratorAgeMs: number }).iteratorAgeMs;
};

type Sample = {
  atS: number;
  stackMb: number;
  daemonMb: number;
  emulatorsMb: number;
  driverMb: number;
  iteratorAgeMs: number;
  events: number;
};
const samples: Sample[] = [];
const durationMs = minutes * 60_000;
const warmupMs = Math.min(60_000, durationMs / 5);
const started = Date.now();
let nextSample = started;
let sent = 0;
const tickMs = 250;
console.log(
  '   t s   stack MB   daemon MB   emulators MB   driver MB   iterator age ms   events sent',
);
while (Date.now() - started < durationMs) {
  const tick = Date.now();
  const events = simulator.next(Math.max(1, Math.round((rate * tickMs) / 1000)));
  await post(events);
  simulator.acknowledge(events);
  sent += events.length;
  if (Date.now() >= nextSample) {
    nextSample += 10_000;
    const s: Sample = {
      atS: Math.round((Date.now() - started) / 1000),
      stackMb: rssMb(stack.proc.pid),
      daemonMb: rssMb(daemon.child.pid),
      emulatorsMb: rssMb(emulators.proc.pid),
      driverMb: rssMb(process.pid),
      iteratorAgeMs: iteratorAge(),
      events: sent,
    };
    samples.push(s);
    if (process.env.SOAK_DEBUG !== undefined) {
      const status = readFileSync(`/proc/${stack.proc.pid}/status`, 'utf8');
      console.log(
        status
          .split('\n')
          .filter((l) => /^(RssAnon|RssFile|RssShmem|VmData|Threads)/.test(l))
          .join(' | ')
          .replace(/\s+/g, ' '),
      );
    }
    console.log(
      [s.atS, s.stackMb, s.daemonMb, s.emulatorsMb, s.driverMb, s.iteratorAgeMs, s.events]
        .map((v, i) => String(v).padStart([6, 8, 9, 12, 9, 15, 12][i] ?? 8))
        .join('   '),
    );
  }
  await sleep(Math.max(0, tickMs - (Date.now() - tick)));
}
const pending = simulator.drainPending();
await post(pending);
simulator.acknowledge(pending);

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
daemon.child.kill('SIGTERM');
stack.proc.kill('SIGTERM');
await sleep(1_000);
emulators.proc.kill();
rmSync(dir, { recursive: true, force: true });

const afterWarmup = samples.filter((s) => s.atS * 1000 >= warmupMs);
if (afterWarmup.length < 2) throw new Error('too few samples after warm-up: run longer');
// Resident memory swings with garbage collection; compare the mean of the first minute after
// warm-up with the mean of the last minute, not two single samples.
const window = Math.max(1, Math.min(6, Math.floor(afterWarmup.length / 2)));
const mean = (rows: Sample[], key: keyof Sample) =>
  round(rows.reduce((sum, r) => sum + r[key], 0) / rows.length);
const growth = (key: 'stackMb' | 'daemonMb' | 'emulatorsMb' | 'driverMb') => {
  const warmMb = mean(afterWarmup.slice(0, window), key);
  const endMb = mean(afterWarmup.slice(-window), key);
  return { warmMb, endMb, growthPct: round(((endMb - warmMb) / warmMb) * 100) };
};
const ages = afterWarmup.map((s) => s.iteratorAgeMs);
const half = Math.floor(ages.length / 2);
const summary = {
  minutes,
  rate,
  events: sent,
  stack: growth('stackMb'),
  daemon: growth('daemonMb'),
  emulators: growth('emulatorsMb'),
  driver: growth('driverMb'),
  iteratorAgeMs: {
    max: Math.max(0, ...ages),
    firstHalfMax: Math.max(0, ...ages.slice(0, half)),
    secondHalfMax: Math.max(0, ...ages.slice(half)),
  },
  exact,
};
const bounded =
  summary.iteratorAgeMs.max < 30_000 &&
  summary.iteratorAgeMs.secondHalfMax <= Math.max(5_000, summary.iteratorAgeMs.firstHalfMax * 2);
const passed = summary.stack.growthPct <= 10 && summary.daemon.growthPct <= 10 && bounded && exact;
const line = (name: string, g: ReturnType<typeof growth>) =>
  `${name} ${g.warmMb} -> ${g.endMb} MB (${g.growthPct}%)`;
console.log(
  `first minute after warm-up -> last minute (means): ${line('stack', summary.stack)}, ${line('daemon', summary.daemon)}; ${line('emulators (not judged)', summary.emulators)}; iterator age max ${summary.iteratorAgeMs.max} ms; exact: ${exact}`,
);
console.log(JSON.stringify({ ...summary, passed }));
process.exit(passed ? 0 : 1);
