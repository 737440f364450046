import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFleet, FleetSimulator } from '#simulator';
import { parseEnvelope } from '#wire';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { refusedDaemon, spawnDaemon, writeTestKeyring } from '../helpers/daemon-process.js';
import { eventually } from '../helpers/eventually.js';
import { detection, incident } from '../helpers/factories.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { processStream } from '../helpers/process-stream.js';
import { abortedPost, MALFORMED_TARGET, rawExchange } from '../helpers/raw-http.js';
import { eventIdsOnStream, readStream } from '../helpers/stream-reader.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

function config(streamName: string, spoolDir: string, extra: Record<string, unknown> = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...extra,
      streamName,
      endpoint: env.emulators.kinesisEndpoint,
      region: 'us-east-1',
      spool: { dir: spoolDir },
      // One daemon forwards a whole simulated fleet, each event with its own deviceId and seq.
      relay: true,
      http: { port: 0 },
      stdin: false,
      statusIntervalMs: 500,
    }),
  );
  return file;
}

async function post(url: string, events: unknown[]): Promise<string[]> {
  const res = await fetch(`${url}/events`, {
    method: 'POST',
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  if (res.status !== 202) return [];
  return ((await res.json()) as { eventIds: string[] }).eventIds;
}

async function newStream(name: string): Promise<void> {
  await env.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists(
    { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { StreamName: name },
  );
}

describe('Integration: edge daemon process', () => {
  it("as a relay with a keyring, signs each record as its events' device, and refuses at intake an event of a device it holds no key of", async () => {
    // Prepare: a keyring with two lanes of two stores and an agent (the test keys the
    // processor's registry knows), owner-only; the processor refuses unsigned records.
    await newStream('daemon-keyring');
    const dir = mkdtempSync(join(tmpdir(), 'daemon-keyring-'));
    const devices = ['panel-store-0001-lane-01', 'panel-store-0002-lane-01', 'agent-team-pos'];
    const keyringFile = join(dir, 'keyring.json');
    writeTestKeyring(keyringFile, devices);
    const daemon = await spawnDaemon(
      config('daemon-keyring', join(dir, 'spool'), { signing: { keyringFile } }),
    );
    const events = [
      ...Array.from({ length: 20 }, () => detection()),
      ...Array.from({ length: 20 }, () =>
        detection({ deviceId: 'panel-store-0002-lane-01', storeId: 'store-0002' }),
      ),
      incident({ deviceId: 'agent-team-pos' }),
    ];
    const stranger = detection({ deviceId: 'panel-store-0003-lane-01', storeId: 'store-0003' });

    // Act
    const accepted = await post(daemon.url, events);
    const refused = await fetch(`${daemon.url}/events`, {
      method: 'POST',
      body: [detection(), stranger].map((e) => JSON.stringify(e)).join('\n'),
    });
    const records = await eventually(async () => {
      const r = await readStream(env.kinesis, 'daemon-keyring');
      expect(r.flatMap((x) => x.userRecords)).toHaveLength(events.length);
      return r;
    });
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    const { result, deadLetters } = await processStream(records, {
      unsignedRecords: 'refuse',
    });

    // Assess: all accepted; the batch naming a stranger refused whole with its line; every
    // record signed, each by the one device its events name; all counted.
    expect(accepted).toHaveLength(events.length);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      errors: [
        {
          name: 'deviceId',
          reason: 'this edge client holds no signing key for panel-store-0003-lane-01',
          index: 1,
        },
      ],
    });
    for (const r of records) {
      expect(r.signed).toBe(true);
      const signer = parseEnvelope(r.raw).signer;
      const named = new Set(r.userRecords.map((u) => JSON.parse(u.toString()).deviceId));
      expect([...named]).toEqual([signer]);
    }
    expect(result.stats).toMatchObject({ counted: events.length, deadLettered: 0 });
    expect(deadLetters.letters.size).toBe(0);
  });

  it('refuses at start-up, in one line and exit 2, a secret file it must not read: a lane token others may read, a FIFO keyring', () => {
    // Prepare: a lane whose token file is mode 644, and a relay whose keyring is a FIFO
    // nobody writes to (a blocking read would hang start-up for ever).
    const dir = mkdtempSync(join(tmpdir(), 'daemon-secrets-'));
    const token = join(dir, 'lane.token');
    writeFileSync(token, 'x'.repeat(40), { mode: 0o644 });
    const fifo = join(dir, 'keyring.json');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const configs = [
      {
        deviceId: 'panel-store-0001-lane-01',
        upstream: { url: 'http://127.0.0.1:9', storeId: 'store-0001', tokenFile: token },
      },
      { relay: true, streamName: 's', signing: { keyringFile: fifo } },
    ].map((c, i) => {
      const file = join(dir, `edge-${i}.json`);
      writeFileSync(
        file,
        JSON.stringify({ ...c, spool: { dir: join(dir, `spool-${i}`) }, stdin: false }),
      );
      return file;
    });

    // Act
    const [lane, relay] = configs.map((c) => refusedDaemon(c));

    // Assess: each names the file and what is wrong, with no stack trace.
    expect(lane).toMatchObject({ code: 2 });
    expect(lane?.output.trim()).toBe(
      `${token} is readable by others than its owner (mode 644): chmod 600 it`,
    );
    expect(relay).toMatchObject({ code: 2 });
    expect(relay?.output.trim()).toBe(`${fifo} is not a regular file (a secret is read from one)`);
  });

  it('delivers every accepted event after kill -9 mid-stream and a restart, skipping a torn spool tail', async () => {
    // Prepare
    await env.kinesis.send(new CreateStreamCommand({ StreamName: 'daemon-kill', ShardCount: 2 }));
    await waitUntilStreamExists(
      { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'daemon-kill' },
    );
    const spoolDir = mkdtempSync(join(tmpdir(), 'daemon-spool-'));
    const cfg = config('daemon-kill', spoolDir);
    const fleet = defineFleet({ stores: 3, lanesPerStore: 4, seed: 9 });
    const simulator = new FleetSimulator({
      fleet,
      seed: 9,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });
    const accepted: string[] = [];

    // Act: send in small batches; kill -9 while requests are in flight.
    const first = await spawnDaemon(cfg);
    // The kill comes once a fifth of the batches are accepted, with a request in flight (a
    // fixed delay would race the daemon's speed).
    for (let i = 0; i < 200; i++) {
      const request = post(first.url, simulator.next(20)).catch(() => []);
      if (i === 40) first.child.kill('SIGKILL');
      accepted.push(...(await request));
    }
    await first.exited;
    // A power cut can also leave half a frame at the end of the last segment.
    const last = readdirSync(spoolDir)
      .filter((f) => f.startsWith('segment-'))
      .sort()
      .pop() as string;
    appendFileSync(
      join(spoolDir, last),
      Buffer.from([0xe5, 0x01, 0xff, 0x00, 0x00, 0x00, 1, 2, 3]),
    );

    const second = await spawnDaemon(cfg);
    accepted.push(...(await post(second.url, simulator.next(50))));
    const status = await eventually(async () => {
      const s = (await (await fetch(`${second.url}/status`)).json()) as {
        spoolBytes: number;
        oldestEventAgeMs: number;
        tornTailBytes: number;
      };
      expect(s.oldestEventAgeMs).toBe(0);
      return s;
    }, 20_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // Assess
    expect(accepted.length).toBeGreaterThan(50);
    expect(accepted.length).toBeLessThan(200 * 20 + 50); // the kill cut the sender off
    expect(status.tornTailBytes).toBe(9);
    const onStream = await eventIdsOnStream(env.kinesis, 'daemon-kill');
    const missing = accepted.filter((id) => !onStream.has(id));
    expect(missing).toEqual([]);
  });

  it('answers an oversized body with a 413 that names the limit, and keeps serving', async () => {
    // Prepare
    await env.kinesis.send(new CreateStreamCommand({ StreamName: 'daemon-413', ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'daemon-413' },
    );
    const daemon = await spawnDaemon(config('daemon-413', mkdtempSync(join(tmpdir(), 'd413-'))));
    const simulator = new FleetSimulator({
      fleet: defineFleet({ stores: 2, lanesPerStore: 2, seed: 4 }),
      seed: 4,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });

    // Act: about 3 MB of valid events in one request, then a normal one.
    const big = simulator.next(8_000);
    const res = await fetch(`${daemon.url}/events`, {
      method: 'POST',
      body: big.map((e) => JSON.stringify(e)).join('\n'),
    });
    const problem = (await res.json()) as { status: number; detail: string };
    const accepted = await post(daemon.url, simulator.next(5));
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    // Assess
    expect(res.status).toBe(413);
    expect(problem.detail).toMatch(/over the 1048576-byte limit/);
    expect(accepted).toHaveLength(5);
    const onStream = await eventIdsOnStream(env.kinesis, 'daemon-413');
    expect(big.some((e) => onStream.has(e.eventId))).toBe(false);
    expect(accepted.every((id) => onStream.has(id))).toBe(true);
  });

  it('answers 507 with retry-after when the events do not fit in the spool', async () => {
    // Prepare: a 1 KiB spool, which one request of twenty events overflows.
    const file = config('daemon-507', mkdtempSync(join(tmpdir(), 'd507-')));
    const settings = JSON.parse(readFileSync(file, 'utf8')) as { spool: object };
    writeFileSync(
      file,
      JSON.stringify({ ...settings, spool: { ...settings.spool, maxBytes: 1024 } }),
    );
    const daemon = await spawnDaemon(file);
    const simulator = new FleetSimulator({
      fleet: defineFleet({ stores: 1, lanesPerStore: 2, seed: 5 }),
      seed: 5,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });

    // Act
    const res = await fetch(`${daemon.url}/events`, {
      method: 'POST',
      body: simulator
        .next(20)
        .map((e) => JSON.stringify(e))
        .join('\n'),
    });
    const problem = (await res.json()) as { title: string; status: number; detail: string };
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    // Assess
    expect(res.status).toBe(507);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(problem).toMatchObject({ title: 'Spool full', status: 507 });
    expect(problem.detail).toMatch(/^spool full: \d+ of 1024 bytes used/);
  });

  it('survives an aborted body and a malformed request line, and keeps accepting events', async () => {
    // Prepare
    await env.kinesis.send(new CreateStreamCommand({ StreamName: 'daemon-raw', ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'daemon-raw' },
    );
    const daemon = await spawnDaemon(config('daemon-raw', mkdtempSync(join(tmpdir(), 'draw-'))));
    const simulator = new FleetSimulator({
      fleet: defineFleet({ stores: 1, lanesPerStore: 2, seed: 5 }),
      seed: 5,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });

    // Act: Content-Length 1000, 8 bytes sent, socket closed; then `GET http://[`.
    const aborted = await rawExchange(daemon.url, abortedPost('/events'), { abort: true });
    const malformed = await rawExchange(daemon.url, MALFORMED_TARGET);
    const garbage = await rawExchange(daemon.url, 'NOT HTTP AT ALL\r\n\r\n');
    const accepted = await post(daemon.url, simulator.next(5));
    const status = (await (await fetch(`${daemon.url}/status`)).json()) as { accepted: number };
    const alive = daemon.child.exitCode === null;
    daemon.child.kill('SIGTERM');
    const code = await daemon.exited;

    // Assess
    expect(aborted).toBe('');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(malformed).toContain('application/problem+json');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(alive).toBe(true);
    expect(accepted).toHaveLength(5);
    expect(status.accepted).toBe(5);
    expect(code).toBe(0);
    expect(daemon.output()).toContain('"message":"request aborted"');
  });

  it('names the line of an NDJSON body that is not JSON or not an event, and accepts none of it', async () => {
    // Prepare
    await env.kinesis.send(new CreateStreamCommand({ StreamName: 'daemon-ndjson', ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'daemon-ndjson' },
    );
    const daemon = await spawnDaemon(config('daemon-ndjson', mkdtempSync(join(tmpdir(), 'dnd-'))));
    const simulator = new FleetSimulator({
      fleet: defineFleet({ stores: 1, lanesPerStore: 2, seed: 6 }),
      seed: 6,
      baselines: DEFAULT_BASELINES,
      resendRate: 0,
    });
    const [a, b, c] = simulator.next(3).map((e) => JSON.stringify(e));

    // Act: line 4 is cut short; then line 3 (after a blank line) breaks the schema.
    const notJson = await fetch(`${daemon.url}/events`, {
      method: 'POST',
      body: [a, b, '', '{"schemaVersion":1,'].join('\n'),
    });
    const badEvent = await fetch(`${daemon.url}/events`, {
      method: 'POST',
      body: [a, '', JSON.stringify({ ...JSON.parse(c as string), eventId: 'not-a-ulid' }), b].join(
        '\n',
      ),
    });
    const notJsonProblem = (await notJson.json()) as { detail: string };
    const badEventProblem = (await badEvent.json()) as {
      detail: string;
      errors: { name: string; index: number; line: number }[];
    };
    const status = (await (await fetch(`${daemon.url}/status`)).json()) as { accepted: number };
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    // Assess
    expect(notJson.status).toBe(400);
    expect(notJsonProblem.detail).toMatch(/^line 4: not JSON: /);
    expect(badEvent.status).toBe(400);
    expect(badEventProblem.detail).toMatch(/^line 3: /);
    expect(badEventProblem.errors).toContainEqual(
      expect.objectContaining({ name: 'eventId', index: 1, line: 3 }),
    );
    expect(status.accepted).toBe(0);
  });

  it('refuses a config with a wrong key, naming it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
    writeFileSync(
      file,
      JSON.stringify({
        streamName: 's',
        spool: { dir: '/tmp/x', fsync: 'sometimes' },
        lingerMS: 5,
      }),
    );
    const error = await spawnDaemon(file).catch((e: Error) => e.message);
    expect(error).toContain('spool.fsync');
    expect(error).toContain('lingerMS: unknown key');
  });
});
