import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAggregated, sleep } from '#edge-client';
import { defineFleet, FleetSimulator } from '#simulator';
import { isSignedEnvelope } from '#wire';
import { readKeyring } from '../../edge-client/src/cli/keyring.js';
import { EdgeClient } from '../../edge-client/src/core/edge-client.js';
import {
  InvalidEventError,
  isEdgeClientError,
  SpoolFullError,
} from '../../edge-client/src/errors/index.js';
import { createKinesisClient } from '../../edge-client/src/producer/kinesis-client.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { eventually } from '../helpers/eventually.js';
import { detection, TEST_KEY_ID, testKey, testSigner } from '../helpers/factories.js';
import { startThrottlingProxy } from '../helpers/fault-proxy.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { processStream } from '../helpers/process-stream.js';
import { eventIdsOnStream, readStream } from '../helpers/stream-reader.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
let streams = 0;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

async function newStream(shards = 2): Promise<string> {
  const name = `edge-test-${++streams}`;
  await env.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists(
    { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { StreamName: name },
  );
  return name;
}

function simulatedEvents(count: number, seed = 3) {
  const fleet = defineFleet({ stores: 5, lanesPerStore: 6, seed });
  return new FleetSimulator({ fleet, seed, baselines: DEFAULT_BASELINES, resendRate: 0 }).next(
    count,
  );
}

const spoolDir = () => mkdtempSync(join(tmpdir(), 'edge-spool-'));

describe('Integration: EdgeClient against the Kinesis emulator', () => {
  it('delivers every accepted event exactly as accepted, aggregated many to a record', async () => {
    // Prepare
    const streamName = await newStream();
    const client = await EdgeClient.open({
      streamName,
      kinesis: createKinesisClient({
        endpoint: env.emulators.kinesisEndpoint,
        region: 'us-east-1',
        credentials,
      }),
      spool: { dir: spoolDir() },
    });
    const events = simulatedEvents(2_000);

    // Act
    const accepted = await client.send(events);
    expect(await client.flush(20_000)).toBe(true);
    await client.close();

    // Assess
    const records = await readStream(env.kinesis, streamName);
    const onStream = records.flatMap((r) => r.userRecords.map((u) => JSON.parse(u.toString())));
    expect(onStream.map((e) => e.eventId).sort()).toEqual(accepted.map((e) => e.eventId).sort());
    const byId = new Map(onStream.map((e) => [e.eventId, e]));
    for (const e of accepted) expect(byId.get(e.eventId)).toEqual(e);
    expect(onStream.length / records.length).toBeGreaterThanOrEqual(20);
    expect(client.metrics()).toMatchObject({ accepted: 2_000, sent: 2_000, rejected: 0 });
  });

  it.each([
    { compress: undefined, expected: 'dictionary' },
    { compress: 'gzip', expected: 'gzip' },
    { compress: false, expected: 'none' },
  ] as const)(
    'puts $expected aggregates on the stream with compress: $compress, signed, and the processor counts them exactly',
    async ({ compress, expected }) => {
      // Prepare: a lane's daemon, signing as itself; the processor refuses unsigned records.
      const streamName = await newStream(1);
      const client = await EdgeClient.open({
        streamName,
        kinesis: env.kinesis,
        spool: { dir: spoolDir() },
        signer: testSigner('panel-store-0001-lane-01'),
        ...(compress !== undefined && { compress }),
      });
      const events = Array.from({ length: 60 }, (_, i) =>
        detection({ estimatedLossCents: 100 + i, confidence: 0.5 + i / 200 }),
      );

      // Act
      await client.send(events);
      expect(await client.flush(20_000)).toBe(true);
      await client.close();
      const records = await readStream(env.kinesis, streamName);
      const { result, aggregates } = await processStream(records);

      // Assess: every aggregate in the format asked for, every event counted once.
      const packed = records.filter((r) => r.userRecords.length > 1);
      expect(packed.length).toBeGreaterThan(0);
      expect(new Set(packed.map((r) => r.compression))).toEqual(new Set([expected]));
      expect(packed.every((r) => r.signed && isAggregated(r.data))).toBe(true);
      expect(records.length).toBeLessThan(events.length);
      expect(result.stats).toMatchObject({ counted: events.length, deadLettered: 0 });
      expect(aggregates.homeTotal('STORE#', 'detections')).toBe(events.length);
      expect(aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(60 * 100 + (59 * 60) / 2);
    },
  );

  it('signs its records as its device, which the processor verifies, and refuses the cross-store forgery through it whole', async () => {
    // Prepare: store-0001's lane signs with its registered key; the processor refuses
    // unsigned records (the default). The second send claims store-0002's lane and store.
    const streamName = await newStream(1);
    const client = await EdgeClient.open({
      streamName,
      kinesis: env.kinesis,
      spool: { dir: spoolDir() },
      signer: testSigner('panel-store-0001-lane-01'),
    });
    const honest = Array.from({ length: 30 }, () => detection());
    const forged = detection({ deviceId: 'panel-store-0002-lane-01', storeId: 'store-0002' });

    // Act
    await client.send(honest);
    expect(await client.flush(20_000)).toBe(true);
    await client.send([forged]);
    expect(await client.flush(20_000)).toBe(true);
    await client.close();
    const records = await readStream(env.kinesis, streamName);
    const { result, aggregates, deadLetters } = await processStream(records);

    // Assess: every record is signed; the honest events count, the forgery is one letter.
    expect(records.every((r) => r.signed && isSignedEnvelope(r.raw))).toBe(true);
    expect(aggregates.homeTotal('STORE#', 'detections')).toBe(honest.length);
    expect(result.stats).toMatchObject({ counted: honest.length, deadLettered: 1 });
    expect([...deadLetters.letters.values()]).toMatchObject([
      { reason: 'signer_mismatch', deviceId: 'panel-store-0001-lane-01', eventId: forged.eventId },
    ]);
  });

  it("as a relay restarted with a keyring that lacks a device, puts that device's spooled events unsigned (dead-lettered unsigned) and holds nothing else up", async () => {
    // Prepare: a relay holding both lanes' keys spools both lanes' events while the stream
    // is unreachable (none delivered); it restarts on the same spool with lane 02 gone from
    // its keyring, and the stream reachable. The processor refuses unsigned records.
    const dir = spoolDir();
    const keyring = (deviceIds: string[]) => {
      const file = join(mkdtempSync(join(tmpdir(), 'relay-keyring-')), 'keyring.json');
      const keys = deviceIds.map((deviceId) => ({
        deviceId,
        keyId: TEST_KEY_ID,
        privateKey: testKey(deviceId).export({ type: 'pkcs8', format: 'pem' }).toString(),
      }));
      writeFileSync(file, JSON.stringify({ keys }), { mode: 0o600 });
      return readKeyring(file);
    };
    const [LANE_1, LANE_2] = ['panel-store-0001-lane-01', 'panel-store-0002-lane-01'];
    const before = await EdgeClient.open({
      streamName: 'no-such-stream',
      kinesis: env.kinesis,
      spool: { dir },
      signer: keyring([LANE_1, LANE_2]),
      retryMaxDelayMs: 20,
    });
    const events = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? detection({ seq: i + 1 })
        : detection({ deviceId: LANE_2, storeId: 'store-0002', seq: i + 1 }),
    );
    await before.send(events);
    expect(await before.close(0)).toEqual({ drained: false });
    const streamName = await newStream(1);

    // Act
    const after = await EdgeClient.open({
      streamName,
      kinesis: env.kinesis,
      spool: { dir },
      signer: keyring([LANE_1]),
    });
    const later = detection({ seq: 1_000 });
    await after.send([later]);
    await expect(
      after.send([detection({ deviceId: LANE_2, storeId: 'store-0002', seq: 1_001 })]),
    ).rejects.toThrow(/holds no signing key for panel-store-0002-lane-01/);
    expect(await after.flush(20_000)).toBe(true);
    await after.close();
    const records = await readStream(env.kinesis, streamName);
    const { result, aggregates, deadLetters } = await processStream(records);

    // Assess: lane 01's events (spooled before the restart and after) are signed and count;
    // lane 02's spooled events went out in unsigned records, each dead-lettered unsigned.
    const lane1 = events.filter((e) => e.deviceId === LANE_1).length + 1;
    const lane2 = events.filter((e) => e.deviceId === LANE_2).length;
    expect(records.filter((r) => !r.signed).flatMap((r) => r.userRecords)).toHaveLength(lane2);
    expect(
      records
        .filter((r) => r.signed)
        .flatMap((r) => r.userRecords.map((u) => JSON.parse(u.toString()).deviceId)),
    ).toEqual(Array(lane1).fill(LANE_1));
    const letters = [...deadLetters.letters.values()];
    expect(result.stats).toMatchObject({ counted: lane1, deadLettered: lane2 });
    expect(aggregates.homeTotal('STORE#', 'detections')).toBe(lane1);
    expect(letters.length).toBeGreaterThan(0);
    expect(new Set(letters.map((l) => l.reason))).toEqual(new Set(['unsigned']));
  });

  it('retries records failed with ProvisionedThroughputExceededException until all are delivered', async () => {
    const streamName = await newStream();
    const proxy = await startThrottlingProxy(env.emulators.kinesisEndpoint, 0.3);
    const client = await EdgeClient.open({
      streamName,
      kinesis: createKinesisClient({ endpoint: proxy.url, region: 'us-east-1', credentials }),
      spool: { dir: spoolDir() },
      aggregate: false,
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 50,
    });
    const accepted = await client.send(simulatedEvents(600));
    expect(await client.flush(30_000)).toBe(true);
    await client.close();
    await proxy.close();

    const ids = await eventIdsOnStream(env.kinesis, streamName);
    expect([...ids.keys()].sort()).toEqual(accepted.map((e) => e.eventId).sort());
    expect(proxy.throttled).toBeGreaterThan(100);
    expect(client.metrics().retried).toBeGreaterThanOrEqual(proxy.throttled);
    expect(client.metrics().lastError?.code).toBe('ProvisionedThroughputExceededException');
  });

  it('keeps accepting while Kinesis is down and delivers everything when it is back', async () => {
    // Prepare: a Kinesis emulator of our own, which we stop and start on the same port and data.
    const dir = mkdtempSync(join(tmpdir(), 'kinesis-down-'));
    const start = async (port: number) => {
      const server = kinesalite({ path: dir, createStreamMs: 0 }) as Server;
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
      return server;
    };
    let server = await start(0);
    const port = (server.address() as { port: number }).port;
    const kinesis = createKinesisClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials,
    });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'outage', ShardCount: 1 }));
    await waitUntilStreamExists(
      { client: kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { StreamName: 'outage' },
    );
    const client = await EdgeClient.open({
      streamName: 'outage',
      kinesis,
      spool: { dir: spoolDir() },
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 200,
    });
    const before = await client.send(simulatedEvents(100, 5));
    expect(await client.flush(10_000)).toBe(true);

    // Act: the stream goes away; events keep being accepted into the spool.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const during = await client.send(simulatedEvents(300, 6));
    await sleep(500);
    expect(client.metrics().spoolBytes).toBeGreaterThan(0);
    expect(client.metrics().oldestEventAgeMs).toBeGreaterThan(0);
    expect(client.metrics().lastError).toBeDefined();
    server = await start(port);

    // Assess
    expect(await client.flush(20_000)).toBe(true);
    await client.close();
    const ids = await eventIdsOnStream(kinesis, 'outage');
    for (const e of [...before, ...during]) expect(ids.has(e.eventId)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    kinesis.destroy();
  });

  it('reports in its status the bytes it holds unsent, not what its spool keeps on disk', async () => {
    // Prepare: a client that delivered all it accepted (the segment stays on disk until it
    // rolls over), and one whose stream is unreachable.
    const streamName = await newStream();
    const drained = await EdgeClient.open({
      streamName,
      kinesis: createKinesisClient({
        endpoint: env.emulators.kinesisEndpoint,
        region: 'us-east-1',
        credentials,
      }),
      spool: { dir: spoolDir() },
    });
    await drained.send(simulatedEvents(50, 7));
    expect(await drained.flush(10_000)).toBe(true);
    expect(drained.metrics().spoolBytes).toBeGreaterThan(0);
    const stuck = await EdgeClient.open({
      streamName: 'unreachable',
      kinesis: createKinesisClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials,
      }),
      spool: { dir: spoolDir() },
      retryBaseDelayMs: 1_000,
    });
    await stuck.send(simulatedEvents(50, 7));

    // Act
    const [nothing, held] = await Promise.all(
      [drained, stuck].map((c) => c.sendStatus('panel-store-0001-lane-01', 'store-0001', '0.1.0')),
    );

    // Assess
    expect(nothing).toMatchObject({ spool: { bytes: 0, oldestUnsentAgeSeconds: 0 } });
    expect((held as { spool: { bytes: number } }).spool.bytes).toBeGreaterThan(50 * 200);
    await drained.close();
    await stuck.close(0);
  });

  it('between heartbeats spools a status only with news, and every heartbeat', async () => {
    // Prepare: a lane that delivered its detections of one model version.
    const streamName = await newStream();
    const dir = spoolDir();
    const client = await EdgeClient.open({ streamName, kinesis: env.kinesis, spool: { dir } });
    const of = (version: string) =>
      detection({ model: { name: 'shrink-vision', version }, seq: undefined } as never);
    await client.send([of('4.1.0'), of('4.1.0')]);
    expect(await client.flush(10_000)).toBe(true);
    const lane = ['panel-store-0001-lane-01', 'store-0001', '0.1.0'] as const;
    const accepted = () => client.metrics().accepted;

    // Act and assess: its first is news; the same again is not, until its heartbeat.
    const first = await client.sendStatus(...lane, { onlyNews: true });
    expect(first).toMatchObject({ type: 'device_status' });
    const before = accepted();
    expect(await client.sendStatus(...lane, { onlyNews: true })).toBeUndefined();
    expect(accepted()).toBe(before);
    const beat = await client.sendStatus(...lane);
    expect(beat).toBeDefined();
    // A rollout is news: the lane now names two versions.
    await client.send([of('4.2.1')]);
    const rolled = await client.sendStatus(...lane, { onlyNews: true });
    expect(rolled).toMatchObject({
      models: [
        { name: 'shrink-vision', version: '4.1.0' },
        { name: 'shrink-vision', version: '4.2.1' },
      ],
    });
    expect(await client.sendStatus(...lane, { onlyNews: true })).toBeUndefined();

    // A host that closes and reopens the device's client (a simulator) carries its memory
    // over; a daemon that restarts does not, and its first status is news.
    expect(await client.flush(10_000)).toBe(true);
    const memory = client.statusMemory();
    await client.close();
    const resumed = await EdgeClient.open({ streamName, kinesis: env.kinesis, spool: { dir } });
    resumed.resumeStatusMemory(memory);
    expect(await resumed.sendStatus(...lane, { onlyNews: true })).toBeUndefined();
    await resumed.close();
    const restarted = await EdgeClient.open({ streamName, kinesis: env.kinesis, spool: { dir } });
    const afresh = await restarted.sendStatus(...lane, { onlyNews: true });
    expect(afresh).toBeDefined();
    expect(await restarted.flush(10_000)).toBe(true);
    await restarted.close();

    // On the stream: the four statuses made, each once, and nothing for those not made.
    const ids = await eventIdsOnStream(env.kinesis, streamName);
    for (const s of [first, beat, rolled, afresh]) expect(ids.get(s?.eventId ?? '')).toBe(1);
    expect(ids.size).toBe(3 + 4);
  });

  it('rejects an invalid event with a typed error naming the field, storing nothing', async () => {
    const client = await EdgeClient.open({
      streamName: 'unused',
      kinesis: env.kinesis,
      spool: { dir: spoolDir() },
    });
    const [good] = simulatedEvents(1);
    const error = await client
      .send([good as never, { ...good, eventId: undefined, confidence: 7 } as never])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(isEdgeClientError(error)).toBe(true);
    expect((error as InvalidEventError).index).toBe(1);
    expect(client.metrics()).toMatchObject({ accepted: 0, spoolBytes: 0 });
    await client.close(0);
  });

  it('tells the caller when the spool is full instead of dropping anything', async () => {
    const proxyless = createKinesisClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    const client = await EdgeClient.open({
      streamName: 'nowhere',
      kinesis: proxyless,
      spool: { dir: spoolDir(), maxBytes: 20_000 },
    });
    let accepted = 0;
    let full: unknown;
    for (const event of simulatedEvents(200)) {
      try {
        await client.send(event as never);
        accepted++;
      } catch (error) {
        full = error;
        break;
      }
    }
    expect(full).toBeInstanceOf(SpoolFullError);
    expect(accepted).toBeGreaterThan(10);
    expect(client.metrics()).toMatchObject({ accepted, sent: 0, rejected: 1 });
    await client.close(0);
  });

  it('fills in the event id, device id and a persisted, increasing seq', async () => {
    const streamName = await newStream(1);
    const dir = spoolDir();
    const open = () =>
      EdgeClient.open({
        streamName,
        kinesis: env.kinesis,
        deviceId: 'panel-store-0001-lane-01',
        spool: { dir },
      });
    const partial = () => {
      const {
        schemaVersion: _v,
        eventId: _e,
        deviceId: _d,
        seq: _s,
        ...rest
      } = simulatedEvents(1)[0] as Record<string, unknown>;
      return { ...rest, type: 'detection', storeId: 'store-0001' } as never;
    };
    const first = await open();
    const [a] = await first.send(partial());
    const [b] = await first.send(partial());
    await first.close();
    const second = await open();
    const [c] = await second.send(partial());
    await eventually(async () => expect(await second.flush(1_000)).toBe(true));
    await second.close();
    expect([a, b, c].map((e) => e?.deviceId)).toEqual(Array(3).fill('panel-store-0001-lane-01'));
    const seqs = [a, b, c].map((e) => e?.seq ?? 0);
    expect(seqs[1]).toBeGreaterThan(seqs[0] as number);
    expect(seqs[2]).toBeGreaterThan(seqs[1] as number);
  });

  it("owns the identity when it has a deviceId: refuses a caller's seq or another device, storing nothing", async () => {
    // Prepare
    const client = await EdgeClient.open({
      streamName: 'unused',
      kinesis: env.kinesis,
      deviceId: 'panel-store-0001-lane-01',
      spool: { dir: spoolDir() },
    });
    const {
      schemaVersion: _v,
      eventId: _e,
      deviceId: _d,
      seq: _s,
      ...own
    } = simulatedEvents(1)[0] as Record<string, unknown>;
    const event = { ...own, type: 'detection', storeId: 'store-0001' };

    // Act
    const refusals = await Promise.all(
      [
        { ...event, seq: 424_242 },
        { ...event, deviceId: 'panel-store-0002-lane-01' },
        [event, { ...event, seq: 424_242 }],
      ].map((input) => client.send(input as never).catch((e: unknown) => e)),
    );
    const [same] = await client.send({ ...event, deviceId: 'panel-store-0001-lane-01' } as never);

    // Assess
    for (const error of refusals) expect(error).toBeInstanceOf(InvalidEventError);
    const [seq, device, batch] = refusals as InvalidEventError[];
    expect(seq?.issues).toEqual([{ path: 'seq', message: 'assigned by the edge client; omit it' }]);
    expect(device?.fields).toEqual(['deviceId']);
    expect(batch?.index).toBe(1);
    expect(same?.deviceId).toBe('panel-store-0001-lane-01');
    expect(client.metrics()).toMatchObject({ accepted: 1, rejected: 3 });
    await client.close(0);
  });

  it("relays the caller's identity when it has no deviceId (a simulator, a test rig)", async () => {
    const client = await EdgeClient.open({
      streamName: 'unused',
      kinesis: env.kinesis,
      spool: { dir: spoolDir() },
    });
    const [event] = simulatedEvents(1);

    const [sent] = await client.send(event as never);

    expect(sent).toEqual(event);
    await client.close(0);
  });
});
