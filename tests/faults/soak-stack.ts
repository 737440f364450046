/**
 * The soak's stack process: the embedded stack (event source, processor, API) against
 * emulators running elsewhere. Prints one JSON line when ready (API URL, a leadership token),
 * then one line a second with its iterator age; stops on SIGTERM.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { startEmbeddedStack } from '../../infra/local/embedded-stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const [kinesisEndpoint = '', dynamodbEndpoint = ''] = process.argv.slice(2);
const stack = await startEmbeddedStack({
  dataDir: mkdtempSync(join(tmpdir(), 'sfi-soak-stack-')),
  ports: { api: 0, kinesis: 0, dynamodb: 0 },
  apiThrottle: {
    stage: { rateLimit: 10_000, burstLimit: 10_000 },
    perCaller: { rateLimit: 10_000, burstLimit: 10_000 },
  },
  externalEmulators: { kinesisEndpoint, dynamodbEndpoint },
  archive: process.env.SOAK_ARCHIVE !== '0',
  // On stderr as a JSON log line, for the soak to count (soak.ts, countWarnings).
  onError: (error, shardId) =>
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'event source error',
        shardId,
        error: { name: (error as Error)?.name, message: (error as Error)?.message },
      }),
    ),
});
const token = await stack.issuer.sign({ sub: 'soak', 'custom:role': 'leadership' }, 7_200);
console.log(JSON.stringify({ apiUrl: stack.apiUrl, token }));
const mb = (n: number) => Math.round(n / 1e5) / 10;
// The soak starts this process with --expose-gc: a full collection every SOAK_GC_EVERY_MS,
// and the memory right after it. Resident memory minus the heap V8 keeps committed but free
// is what the process retains (live heap, native memory, code), without the garbage and
// headroom that the collector's sizing leaves in resident memory between collections.
let afterGc:
  | {
      rssMb: number;
      heapTotalMb: number;
      heapUsedMb: number;
      retainedMb: number;
      resident?: Record<string, number>;
    }
  | undefined;
const gc = (globalThis as { gc?: () => void }).gc;
const gcEvery = Number(process.env.SOAK_GC_EVERY_MS ?? 0);
if (gc !== undefined && gcEvery > 0) {
  setInterval(() => {
    gc();
    const m = process.memoryUsage();
    afterGc = {
      rssMb: mb(m.rss),
      heapTotalMb: mb(m.heapTotal),
      heapUsedMb: mb(m.heapUsed),
      retainedMb: mb(m.rss - (m.heapTotal - m.heapUsed)),
      ...(process.env.SOAK_DEBUG !== undefined && { resident: residentBreakdown() }),
    };
  }, gcEvery);
}
/**
 * Debug only: resident memory by kind of mapping, in MB, read from /proc/self/smaps. V8 maps
 * its heap in pages of at most 1 MB (`v8Pages`, which includes free committed pages); glibc's
 * main arena is `[heap]` and its other arenas are 64 MB reservations (`otherAnon`, with thread
 * stacks); `files` is the node binary and libraries.
 */
function residentBreakdown(): Record<string, number> {
  const kb = { v8Pages: 0, mallocMain: 0, otherAnon: 0, files: 0 };
  let bucket: keyof typeof kb = 'otherAnon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      const [, from = '0', to = '0', name = ''] = mapping;
      const size = Number.parseInt(to, 16) - Number.parseInt(from, 16);
      bucket = name.startsWith('/')
        ? 'files'
        : name === '[heap]'
          ? 'mallocMain'
          : name === '' && size <= 1 << 20
            ? 'v8Pages'
            : 'otherAnon';
    } else if (line.startsWith('Rss:')) kb[bucket] += Number(line.split(/\s+/)[1]);
  }
  return Object.fromEntries(Object.entries(kb).map(([k, v]) => [k, mb(v * 1024)]));
}
const timer = setInterval(() => {
  const m = process.memoryUsage();
  console.log(
    JSON.stringify({
      iteratorAgeMs: stack.iteratorAgeMs(),
      afterGc,
      heapTotalMb: mb(m.heapTotal),
      heapUsedMb: mb(m.heapUsed),
      externalMb: mb(m.external),
      arrayBuffersMb: mb(m.arrayBuffers),
    }),
  );
}, 1_000);
// Diagnosis: `kill -USR2 <pid>` writes a heap snapshot into the working directory.
process.on('SIGUSR2', () => {
  console.error(`heap snapshot: ${writeHeapSnapshot()}`);
});
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await stack.stop();
  process.exit(0);
});
