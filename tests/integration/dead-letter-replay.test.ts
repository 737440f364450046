import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getDeadLetter,
  parseDeadLetterId,
} from '../../functions/adapters/dynamodb-dead-letters.js';
import {
  DynamoDbRegistry,
  putRegistryEntries,
} from '../../functions/adapters/dynamodb-registry.js';
import { isoWeekOfInstant } from '../../functions/domain/calendar.js';
import { DynamoDbImpactReader } from '../../functions/impact-api/impact-reader.js';
import { loadProcessorConfig } from '../../functions/processor/config.js';
import { processorDeps } from '../../functions/processor/deps.js';
import { processBatch, type RawStreamRecord } from '../../functions/processor/process-batch.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { archiveHandler } from '../../infra/local/archiver.js';
import { writeSigningKeyFile } from '../helpers/daemon-process.js';
import { REGISTRY, TEST_KEY_ID, testKey, testKeys } from '../helpers/factories.js';
import { forgottenDevices } from '../helpers/forgotten-devices.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { readShard } from '../helpers/read-shard.js';
import { runTool } from '../helpers/tool-run.js';

/**
 * A store with forgotten devices: lane 09 and lane 07 were never registered (their records,
 * signed with their own keys, are dead-lettered as unknown_key), and lane 08's events come
 * through the registered store gateway (its record counts the registered lane's event and
 * dead-letters lane 08's as unknown_device). After the devices are registered, a replay
 * makes the figures exact, and a second replay changes nothing.
 */
let env: Awaited<ReturnType<typeof freshEmulators>>;

const NOW = Date.now();
const AT = NOW - 10 * 60_000;
const STORE = 'store-0001';
const STORE_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(AT);

const scenario = forgottenDevices(AT, { archiveOnlyLane: true });
const ALL = scenario.all;
const TRUE_LOSS = scenario.trueLossCents;
const records = scenario.records;

const run = (...args: string[]) =>
  runTool('dead-letters.ts', args, env.emulators, {
    TOOLKIT_EDGE_CONFIG: join(env.dir, 'toolkit-edge.json'),
  });
const replay = async (...args: string[]) => {
  const result = await run('replay', '--archive', env.dir, '--json', ...args);
  if (result.stderr !== '') console.error(result.stderr);
  return { ...result, report: JSON.parse(result.stdout || '{}') };
};

/** The stream's records (after `after`, if given), as Lambda hands them to the processor. */
const readStream = (after?: string) => readShard(env.kinesis, after === undefined ? {} : { after });

async function figures() {
  const reader = new DynamoDbImpactReader(
    env.dynamodb,
    TABLES.aggregates.localName,
    TABLES.registry.localName,
  );
  const day = (await reader.storeDays(STORE, STORE_DATE, STORE_DATE)).get(STORE_DATE) ?? {};
  const org = (await reader.storeRollup(undefined, STORE_DATE, STORE_DATE)).totals;
  return {
    detections: day.detections ?? 0,
    lossDetectedCents: day.lossDetectedCents ?? 0,
    orgDetections: org.detections ?? 0,
    orgLossDetectedCents: org.lossDetectedCents ?? 0,
  };
}

/** Live processing, as the deployed processor runs it. */
async function processLive(stream: readonly RawStreamRecord[]) {
  const config = loadProcessorConfig({
    [TABLES.aggregates.envVar]: TABLES.aggregates.localName,
    [TABLES.registry.envVar]: TABLES.registry.localName,
    [TABLES.deadLetters.envVar]: TABLES.deadLetters.localName,
  });
  const live = await processBatch(stream, processorDeps(env.dynamodb, config, silentLogger));
  expect(live.failedSequenceNumbers).toEqual([]);
  lastSequence = stream.at(-1)?.sequenceNumber ?? lastSequence;
}
let lastSequence: string | undefined;

/** The toolkit's agent device, registered to team-ops, and its edge config. */
const AGENT = 'agent-pipeline-toolkit';
function writeToolkitConfig() {
  const keyFile = writeSigningKeyFile(join(env.dir, 'toolkit.pem'), testKey(AGENT));
  const config = {
    streamName: TELEMETRY_STREAM.localName,
    deviceId: AGENT,
    endpoint: env.emulators.kinesisEndpoint,
    region: 'us-east-1',
    spool: { dir: join(env.dir, 'toolkit-spool') },
    signing: { keyId: TEST_KEY_ID, keyFile },
  };
  writeFileSync(join(env.dir, 'toolkit-edge.json'), JSON.stringify(config));
}

beforeAll(async () => {
  env = await freshEmulators(1);
  writeToolkitConfig();
  const agent = {
    deviceId: AGENT,
    kind: 'agent' as const,
    teamId: 'team-ops',
    keys: testKeys(AGENT),
  };
  const registry = {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values(), agent],
  };
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, registry);
  await env.kinesis.send(
    new PutRecordsCommand({
      StreamName: TELEMETRY_STREAM.localName,
      Records: records().map((Data) => ({ Data, PartitionKey: STORE })),
    }),
  );
  // Live processing and the archive, as the deployed stack runs them.
  const stream = await readStream();
  await processLive(stream);
  await archiveHandler(
    env.dir,
    new DynamoDbRegistry(env.dynamodb, TABLES.registry.localName),
  )({
    Records: stream.map((r) => ({
      eventID: `${r.shardId}:${r.sequenceNumber}`,
      kinesis: {
        sequenceNumber: r.sequenceNumber,
        partitionKey: r.partitionKey,
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: r.arrivedAt / 1000,
      },
    })),
  } as never);
}, 60_000);

afterAll(async () => env?.close());

describe('CLI: npm run dead-letters -- replay, against the emulators over HTTP', () => {
  const today = new Date(NOW).toISOString().slice(0, 10);
  const range = ['--from', today, '--to', today];

  it('before the fix: live processing dead-lettered the forgotten devices, and a dry run replays nothing', async () => {
    expect(await figures()).toEqual({
      detections: 3,
      lossDetectedCents: 900,
      orgDetections: 3,
      orgLossDetectedCents: 900,
    });

    const dry = await replay(...range);

    expect(dry.status).toBe(0);
    expect(dry.report.dryRun).toBe(true);
    expect(dry.report.records).toEqual({ wanted: 5, stream: 5, archive: 0, notFound: 0 });
    expect(dry.report.results.map((r: { reason: string }) => r.reason).sort()).toEqual([
      'unknown_device',
      'unknown_key',
      'unknown_key',
      'unknown_key',
      'unknown_key',
    ]);
    expect(new Set(dry.report.results.map((r: { outcome: string }) => r.outcome))).toEqual(
      new Set(['would_replay']),
    );
    expect(await figures()).toMatchObject({ detections: 3, lossDetectedCents: 900 });
    const text = await run('replay', ...range, '--archive', env.dir);
    expect(text.stdout).toContain('run again with --yes');
  });

  it('replayed before the fix, every letter is refused again and nothing counts (exit 1)', async () => {
    const early = await replay(...range, '--yes');

    expect(early.status).toBe(1);
    expect(new Set(early.report.results.map((r: { outcome: string }) => r.outcome))).toEqual(
      new Set(['refused_again']),
    );
    expect(early.report.counted).toBe(0);
    expect(await figures()).toMatchObject({ detections: 3, lossDetectedCents: 900 });
  });

  it('after registering the devices, a replay counts their events once and the figures are exact; a second replay changes nothing', async () => {
    // Prepare: the fix.
    await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
      devices: scenario.registrations(),
    });

    // Act: lane 07's record from the archive (auto falls back when the stream lacks it), then
    // the rest from the stream.
    const listed = await run('list', ...range, '--device', 'panel-store-0001-lane-07', '--json');
    const [lane07Letter] = JSON.parse(listed.stdout).letters;
    const fromArchive = await replay(lane07Letter.id, '--stream', 'no-such-stream', '--yes');
    const first = await replay(...range, '--yes', '--report-incident', 'team-ops');

    // Assess
    expect(fromArchive.status).toBe(0);
    expect(fromArchive.report.records).toEqual({ wanted: 1, stream: 0, archive: 1, notFound: 0 });
    expect(fromArchive.report.results[0].outcome).toBe('counted');
    expect(first.status).toBe(0);
    // Lane 07's letter is marked counted, so the range's replay leaves it out.
    expect(first.report.letters).toBe(4);
    expect(first.report.records.stream).toBe(4);
    expect(new Set(first.report.results.map((r: { outcome: string }) => r.outcome))).toEqual(
      new Set(['counted']),
    );
    // Lane 09's three and lane 08's one; the gateway record's lane 01 event counted already.
    expect(first.report.counted + fromArchive.report.counted).toBe(5);
    expect(first.report.duplicates).toBe(1);
    const exact = {
      detections: ALL.length,
      lossDetectedCents: TRUE_LOSS,
      orgDetections: ALL.length,
      orgLossDetectedCents: TRUE_LOSS,
    };
    expect(await figures()).toEqual(exact);
    const letter = await getDeadLetter(
      env.dynamodb,
      TABLES.deadLetters.localName,
      parseDeadLetterId(first.report.results[0].id),
    );
    expect(letter?.replay?.outcome).toBe('counted');

    // A second replay: by range, nothing is left; by id, everything is a duplicate.
    const again = await replay(...range, '--yes');
    const ids = first.report.results.map((r: { id: string }) => r.id);
    const byId = await replay(...ids, '--yes', '--report-incident', 'team-ops');
    expect(again.report.letters).toBe(0);
    expect(byId.status).toBe(0);
    expect(byId.report.counted).toBe(0);
    expect(byId.report.duplicates).toBe(5);
    expect(await figures()).toEqual(exact);

    // The toolkit reported the incident it resolved, once however often it is reported: the
    // pipeline counts its own automation (90 baseline minutes, 5 spent).
    expect(first.report.incident).toMatchObject({
      teamId: 'team-ops',
      deviceId: AGENT,
      delivered: true,
    });
    expect(byId.report.incident.incidentId).toBe(first.report.incident.incidentId);
    await processLive(await readStream(lastSequence));
    const week = isoWeekOfInstant(Date.now());
    const reader = new DynamoDbImpactReader(
      env.dynamodb,
      TABLES.aggregates.localName,
      TABLES.registry.localName,
    );
    expect((await reader.teamWeeks('team-ops', week, week)).get(week)).toMatchObject({
      incidents: 1,
      engineerMinutes: 5,
      minutesSaved: 85,
    });
  });

  it('refuses a malformed id or source with exit 2, and says a letter it cannot find (exit 1)', async () => {
    const bad = await run('replay', 'not-an-id');
    const source = await run('replay', '--source', 'tape');
    const team = await run('replay', '--report-incident', 'team ops; rm -rf', '--yes');
    const missing = await run(
      'replay',
      '2026-12-01/shardId-000000000000/123/0',
      '--archive',
      env.dir,
    );

    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('not a dead-letter id');
    expect(source.status).toBe(2);
    expect(source.stderr).toContain('--source is auto, stream or archive');
    expect(team.status).toBe(2);
    expect(team.stderr).toContain('--report-incident takes a team id');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no dead letter 2026-12-01/shardId-000000000000/123/0');
  });
});
