/**
 * One side of `npm run bench:edge`, run in its own process so that its memory is measured
 * alone: sends simulated events through an EdgeClient and reports what it did as one JSON line.
 *
 *   edge-worker.ts send <endpoint> <stream> <events> <aggregate:0|1|gzip> <spoolDir>
 *     (1: aggregated, the default compression; gzip: aggregated, gzipped as before issue 19)
 *   edge-worker.ts fill <spoolDir> <bytes>      (Kinesis unreachable: the spool only grows)
 */
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { sleep } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import { createKinesisClient } from '../../edge-client/src/producer/kinesis-client.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);

function simulator() {
  // The fleet: 50 stores x 12 lanes, the simulator's mix, no deliberate resends.
  const fleet = defineFleet({ stores: 50, lanesPerStore: 12, seed: 42 });
  return new FleetSimulator({ fleet, seed: 42, baselines: DEFAULT_BASELINES, resendRate: 0 });
}

async function send(
  endpoint: string,
  stream: string,
  total: number,
  aggregate: '0' | '1' | 'gzip',
  spoolDir: string,
) {
  const kinesis = createKinesisClient({ endpoint, region: 'us-east-1', credentials });
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 4 }));
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { StreamName: stream },
  );
  const client = await EdgeClient.open({
    streamName: stream,
    kinesis,
    spool: { dir: spoolDir },
    aggregate: aggregate !== '0',
    ...(aggregate === 'gzip' && { compress: 'gzip' as const }),
  });
  const sim = simulator();
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 500) {
    await client.send(sim.next(Math.min(500, total - sent)));
  }
  const drained = await client.flush(600_000);
  const seconds = (performance.now() - started) / 1000;
  const m = client.metrics();
  await client.close(0);
  return {
    drained,
    seconds,
    events: m.sent,
    records: m.recordsPut,
    requests: m.requests,
    billedKb: m.billedKb,
    retried: m.retried,
  };
}

async function fill(spoolDir: string, bytes: number) {
  const kinesis = createKinesisClient({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials,
  });
  const client = await EdgeClient.open({
    streamName: 'offline',
    kinesis,
    spool: { dir: spoolDir, maxBytes: bytes + 64 * 1024 ** 2 },
    retryMaxDelayMs: 1_000,
  });
  const chunk = simulator().next(1_000);
  const started = performance.now();
  while (client.metrics().spoolBytes < bytes) await client.send(chunk);
  const seconds = (performance.now() - started) / 1000;
  const m = client.metrics();
  await client.close(0);
  // Reopen the full spool, as after a restart while still offline.
  const reopened = await EdgeClient.open({
    streamName: 'offline',
    kinesis,
    spool: { dir: spoolDir, maxBytes: bytes + 64 * 1024 ** 2 },
  });
  await sleep(1_000);
  const spoolBytes = reopened.metrics().spoolBytes;
  await reopened.close(0);
  return { seconds, accepted: m.accepted, spoolBytes };
}

const [mode, ...args] = process.argv.slice(2);
const result =
  mode === 'send'
    ? await send(
        args[0] as string,
        args[1] as string,
        Number(args[2]),
        args[3] === 'gzip' ? 'gzip' : args[3] === '1' ? '1' : '0',
        args[4] as string,
      )
    : await fill(args[0] as string, Number(args[1]));
clearInterval(sampler);
console.log(JSON.stringify({ ...result, peakRssMb: Math.round((peakRss / 1024 ** 2) * 10) / 10 }));
process.exit(0);
