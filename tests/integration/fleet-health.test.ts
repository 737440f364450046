import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, startDaemon } from '../../edge-client/src/cli/daemon.js';
import { DaemonConfig } from '../../edge-client/src/cli/daemon-config.js';
import {
  putCoverageSummary,
  putRegisteredCoverage,
  queryCoverage,
} from '../../functions/adapters/dynamodb-fleet-health.js';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { type CoverageSummary, REFRESH_AFTER_MS } from '../../functions/domain/fleet-health.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { loadProcessorConfig } from '../../functions/processor/config.js';
import { processorDeps } from '../../functions/processor/deps.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { writeSigningKeyFile } from '../helpers/daemon-process.js';
import { REGISTRY, TEST_KEY_ID, testKey } from '../helpers/factories.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { readShard } from '../helpers/read-shard.js';

/**
 * A panel PC's daemon reports its own status through the stream; the processor keeps it in
 * the store's fleet health item, apart from the figures; the impact API answers it.
 */
let env: Awaited<ReturnType<typeof freshEmulators>>;
let daemon: Daemon;
const DEVICE = 'panel-store-0001-lane-01';
let after: string | undefined;

/** The stream's records after the last read, through the live processor. */
async function processNew(now?: number) {
  const records = await readShard(env.kinesis, after === undefined ? {} : { after });
  after = records.at(-1)?.sequenceNumber ?? after;
  const config = loadProcessorConfig({
    [TABLES.aggregates.envVar]: TABLES.aggregates.localName,
    [TABLES.registry.envVar]: TABLES.registry.localName,
    [TABLES.deadLetters.envVar]: TABLES.deadLetters.localName,
  });
  const deps = processorDeps(env.dynamodb, config, silentLogger);
  return processBatch(records, now === undefined ? deps : { ...deps, now: () => now });
}

async function answer(path: string, query: Record<string, string>) {
  const { status, body } = await askImpactApi(env.dynamodb, path, query);
  expect(status).toBe(200);
  return body;
}

const fleetHealth = () => answer('/v1/fleet/health', { region: 'us-east', only: 'all' });

beforeAll(async () => {
  env = await freshEmulators(1);
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
  const dir = mkdtempSync(join(tmpdir(), 'fleet-health-'));
  daemon = await startDaemon(
    DaemonConfig.parse({
      streamName: TELEMETRY_STREAM.localName,
      deviceId: DEVICE,
      endpoint: env.emulators.kinesisEndpoint,
      region: 'us-east-1',
      spool: { dir: join(dir, 'spool') },
      signing: {
        keyId: TEST_KEY_ID,
        keyFile: writeSigningKeyFile(join(dir, 'key.pem'), testKey(DEVICE)),
      },
      deviceStatus: { storeId: 'store-0001' },
      stdin: false,
    }),
    { log: () => undefined },
  );
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await env?.close();
});

describe('Integration: fleet health from the daemons own status, over the emulators', () => {
  it('keeps the status a daemon sends at start in its store, apart from the figures', async () => {
    // The status is spooled as the daemon starts: wait for it to be sent.
    await expect.poll(() => daemon.client.metrics().sent, { timeout: 10_000 }).toBe(1);

    const result = await processNew();

    expect(result.stats).toMatchObject({
      statuses: 1,
      counted: 0,
      deadLettered: 0,
      healthWrites: 1,
    });
    const health = await fleetHealth();
    expect(health.stores).toEqual([
      expect.objectContaining({
        storeId: 'store-0001',
        reporting: 1,
        known: 1,
        silent: [],
        daemonVersions: { '0.1.0': 1 },
        attention: false,
      }),
    ]);
    expect(health.stores[0].completeThrough).toBeDefined();
  });

  it('names the models of its recent detections at the refresh, and the figures count only the detection', async () => {
    const at = Date.now();
    await daemon.client.send({
      type: 'detection',
      occurredAt: new Date(at).toISOString(),
      storeId: 'store-0001',
      detectionId: ulid(at),
      laneId: 'lane-01',
      category: 'walkout',
      confidence: 0.9,
      estimatedLossCents: 4_200,
      model: { name: 'shrink-vision', version: '4.3.0' },
    });
    await daemon.client.sendStatus(DEVICE, 'store-0001', '0.1.0');
    expect(await daemon.client.flush(10_000)).toBe(true);

    // A lane's first naming of its models is no material change: it waits for the refresh.
    expect((await processNew()).stats).toMatchObject({
      counted: 1,
      statuses: 1,
      deadLettered: 0,
      healthWrites: 0,
    });
    expect((await fleetHealth()).stores[0].models).toEqual([]);

    // Once the refresh is due, they are written: the next status names them again, though it
    // follows no new detection (a status names the models of the last 15 minutes).
    await daemon.client.sendStatus(DEVICE, 'store-0001', '0.1.0');
    expect(await daemon.client.flush(10_000)).toBe(true);
    expect((await processNew(Date.now() + REFRESH_AFTER_MS)).stats).toMatchObject({
      counted: 0,
      statuses: 1,
      deadLettered: 0,
      healthWrites: 1,
    });
    const health = await fleetHealth();
    expect(health.stores[0].models).toEqual(['shrink-vision@4.3.0']);
    expect(health.summary).toMatchObject({ stores: 1, devicesReporting: 1, devicesSilent: 0 });
    // The organisation's totals say what they cover, from the stores' coverage summaries.
    const today = new Date().toISOString().slice(0, 10);
    const impact = await answer('/v1/impact', { from: today, to: today });
    expect(impact.coverage).toMatchObject({
      stores: 1,
      storesReporting: 1,
      storesWithGaps: 0,
      devicesKnown: 1,
      devicesReporting: 1,
    });
    expect(impact.coverage.completeThrough).toBe(health.stores[0].completeThrough);
  });

  it('refuses a device_status a caller posts to a device daemon: only the daemon reports itself', async () => {
    await expect(
      daemon.client.send({
        type: 'device_status',
        occurredAt: new Date().toISOString(),
        storeId: 'store-0001',
        spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
        daemonVersion: '9.9.9',
        models: [],
      }),
    ).rejects.toThrow(/device_status is the edge client's own report/);
  });

  it('counts registered lanes: a store registered with its lanes and never heard from, and a reporting store short of its lanes', async () => {
    const store1 = { ...(REGISTRY.stores.get('store-0001') as StoreInfo), lanes: 2 };
    const store2 = { ...(REGISTRY.stores.get('store-0002') as StoreInfo), lanes: 3 };
    await putRegistryEntries(env.dynamodb, TABLES.registry.localName, { stores: [store1, store2] });
    // As `npm run register` does: store-0001's summary is its daemons' and stays theirs.
    expect(
      await putRegisteredCoverage(
        env.dynamodb,
        TABLES.aggregates.localName,
        [store1, store2],
        Date.now(),
      ),
    ).toBe(2);
    const today = new Date().toISOString().slice(0, 10);
    const before = await answer('/v1/impact', { from: today, to: today });
    expect(before.coverage).toMatchObject({
      stores: 2,
      storesReporting: 1,
      storesWithGaps: 1,
      lanesRegistered: 4, // store-0001's one known lane stands in until its item is written
      lanesReporting: 1,
      storesWithoutLaneCount: 1,
    });

    // The next status writes store-0001's item with the registry's lane count.
    await daemon.client.sendStatus(DEVICE, 'store-0001', '0.1.0');
    expect(await daemon.client.flush(10_000)).toBe(true);
    expect((await processNew()).stats).toMatchObject({ statuses: 1, healthWrites: 1 });

    const after = await answer('/v1/impact', { from: today, to: today });
    expect(after.coverage).toMatchObject({
      stores: 2,
      storesReporting: 1,
      storesWithGaps: 2,
      lanesRegistered: 5,
      lanesReporting: 1,
      storesWithoutLaneCount: 0,
    });
    const health = await fleetHealth();
    expect(health.stores[0]).toMatchObject({
      storeId: 'store-0001',
      lanes: { registered: 2, known: 1, reporting: 1, missing: 1 },
      attention: true,
    });
    // Registering again leaves the daemons' summary alone.
    await putRegisteredCoverage(env.dynamodb, TABLES.aggregates.localName, [store1], Date.now());
    expect((await answer('/v1/impact', { from: today, to: today })).coverage).toMatchObject({
      lanesRegistered: 5,
      lanesReporting: 1,
    });
  });

  it('keeps a coverage summary whole: profile, lanes and gap days come back as written', async () => {
    const summary: CoverageSummary = {
      storeId: 'store-codec',
      region: 'eu-west',
      profile: {
        timeZone: 'Asia/Kathmandu',
        lanes: 12,
        openHours: { opens: '20:00', closes: '06:00' },
        test: true,
      },
      known: 11,
      reporting: 9,
      silent: 2,
      lanes: { registered: 12, known: 10, reporting: 8, missing: 4 },
      gapDays: ['2026-02-28', '2026-03-01', '2026-12-02'],
      completeThrough: Date.parse('2026-12-02T10:00:00Z'),
      writtenAt: Date.parse('2026-12-02T10:05:00Z'),
    };
    await putCoverageSummary(env.dynamodb, TABLES.aggregates.localName, summary, 3);
    const { summaries } = await queryCoverage(env.dynamodb, TABLES.aggregates.localName, 'eu-west');
    expect(summaries).toEqual([summary]);
  });
});
