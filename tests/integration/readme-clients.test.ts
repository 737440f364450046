import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../edge-client/src/cli/daemon.js';
import { type DaemonProcess, spawnDaemon } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { eventIdsOnStream } from '../helpers/stream-reader.js';

/**
 * The README's two vision-process clients (section "On a panel PC"), taken from the README as
 * it is and run against a real daemon (202, 400, 413) and a stand-in that answers 507 first.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('## On a panel PC'));
const block = (lang: string) => {
  const found = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  if (found === undefined) throw new Error(`no ${lang} client in the README's panel PC section`);
  return found;
};
const dir = mkdtempSync(join(tmpdir(), 'readme-clients-'));
writeFileSync(join(dir, 'client.py'), block('python'));
writeFileSync(join(dir, 'client.ts'), block('ts'));
type Send = (events: object[], url: string) => Promise<string[]>;

const PANEL = 'panel-store-0001-lane-01';
/** A detection as the vision process posts it: no deviceId, no seq (the daemon owns them). */
const detection = (i: number, pad = '') => ({
  schemaVersion: 1,
  type: 'detection',
  occurredAt: new Date().toISOString(),
  storeId: 'store-0001',
  detectionId: `01KB6Z8R2T${String(i).padStart(16, '0')}`,
  laneId: 'lane-01',
  category: 'missed_scan',
  confidence: 0.9,
  estimatedLossCents: 1_000 + i,
  model: { name: 'shrink-vision', version: `4.2.1${pad}` },
});

/** Runs the Python client's `send` on `events`: its result, or the error it raised. */
async function sendPython(
  events: object[],
  url: string,
): Promise<{ ids?: string[]; error?: string }> {
  const input = join(dir, `events-${Math.random()}.json`);
  writeFileSync(input, JSON.stringify(events));
  const script = `import json, sys\nsys.path.insert(0, ${JSON.stringify(dir)})\nfrom client import send\ntry:\n    print(json.dumps({"ids": send(json.load(open(${JSON.stringify(input)})), ${JSON.stringify(url)})}))\nexcept ValueError as e:\n    print(json.dumps({"error": repr(e.args)}))\n`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

let env: Awaited<ReturnType<typeof freshEmulators>>;
let daemon: DaemonProcess;
beforeAll(async () => {
  env = await freshEmulators();
  await env.kinesis.send(new CreateStreamCommand({ StreamName: 'readme-clients', ShardCount: 1 }));
  await waitUntilStreamExists(
    { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { StreamName: 'readme-clients' },
  );
  const config = join(dir, 'edge.json');
  writeFileSync(
    config,
    JSON.stringify({
      streamName: 'readme-clients',
      endpoint: env.emulators.kinesisEndpoint,
      region: 'us-east-1',
      deviceId: PANEL,
      spool: { dir: join(dir, 'spool') },
      http: { port: 0 },
      stdin: false,
      statusIntervalMs: 60_000,
    }),
  );
  daemon = await spawnDaemon(config);
}, 60_000);
afterAll(async () => {
  daemon?.child.kill('SIGTERM');
  await daemon?.exited;
  await env?.close();
});

/** A stand-in intake that answers 507 (retry-after 0) `full` times, then 202. */
async function fullThenRoom(full: number) {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (calls <= full) res.writeHead(507, { 'retry-after': '0' }).end('{"title":"spool full"}');
      else res.writeHead(202).end('{"accepted":1,"eventIds":["01KB6Z8R2T5Q9V1C3D4E5F6G7H"]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Integration: the README's vision-process clients", () => {
  it('in TypeScript: spooled events give their ids, a body over 1 MiB is sent in halves, a 400 names the field, a 507 is waited out', async () => {
    const { send } = (await import(join(dir, 'client.ts'))) as { send: Send };
    const url = `${daemon.url}/events`;

    const few = await send([detection(1), detection(2)], url);
    // 4,000 events: over the 1 MiB body limit until halved.
    const batch = Array.from({ length: 4_000 }, (_, i) => detection(100 + i));
    expect(batch.map((e) => JSON.stringify(e)).join('\n').length).toBeGreaterThan(MAX_BODY_BYTES);
    const many = await send(batch, url);
    const refused = await send([{ ...detection(3), category: 'nap' }], url).catch(
      (e: Error) => e.message,
    );
    const stand = await fullThenRoom(2);
    const waited = await send([detection(4)], stand.url);
    await stand.close();

    expect(few).toHaveLength(2);
    expect(many).toHaveLength(4_000);
    expect(refused).toMatch(/^400 .*category/);
    expect(waited).toHaveLength(1);
    expect(stand.calls()).toBe(3);
    await eventually(async () => {
      const onStream = await eventIdsOnStream(env.kinesis, 'readme-clients');
      expect([...few, ...many].filter((id) => !onStream.has(id))).toEqual([]);
    });
  }, 60_000);

  it('in Python: the same four answers', async () => {
    const url = `${daemon.url}/events`;

    const few = await sendPython([detection(11), detection(12)], url);
    const many = await sendPython(
      Array.from({ length: 4_000 }, (_, i) => detection(10_000 + i)),
      url,
    );
    const refused = await sendPython([{ ...detection(13), category: 'nap' }], url);
    const stand = await fullThenRoom(2);
    const waited = await sendPython([detection(14)], stand.url);
    await stand.close();

    expect(few.ids).toHaveLength(2);
    expect(many.ids).toHaveLength(4_000);
    expect(refused.error).toMatch(/400.*category/);
    expect(waited.ids).toHaveLength(1);
    expect(stand.calls()).toBe(3);
  }, 60_000);
});
