import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '../../edge-client/src/contract/index.js';
import {
  COVERAGE_PARTITION,
  DynamoDbFleetHealth,
  queryCoverage,
} from '../../functions/adapters/dynamodb-fleet-health.js';
import { mergeStatuses } from '../../functions/domain/fleet-health.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { watchFleet } from '../../functions/fleet-watch/watch-fleet.js';
import { commitHealth } from '../../functions/processor/commit-health.js';
import { TABLES } from '../../functions/shared/resources.js';
import { askImpactApi } from '../helpers/impact-api.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { runTool } from '../helpers/tool-run.js';

/**
 * Hostile review of issue 22 over the embedded DynamoDB: items in the fleet health and
 * coverage partitions that no current writer makes (a hand edit, a half-migrated item, a bug)
 * must not stop the fleet watch, the coverage of `/v1/impact`, fleet health or the processor's
 * health writes for every other store. Each test failed against the code reviewed.
 */
let env: Awaited<ReturnType<typeof freshEmulators>>;
const MIN = 60_000;
const NOW = Date.now();
const TABLE = TABLES.aggregates.localName;

/** Open around the clock, in UTC. */
const store = (storeId: string, over: Partial<StoreInfo> = {}): StoreInfo => ({
  storeId,
  region: 'us-east',
  timeZone: 'UTC',
  lanes: 2,
  ...over,
});

let seq = 0;
function status(storeId: string, at: number): DeviceStatusEvent {
  return {
    schemaVersion: 1,
    type: 'device_status',
    eventId: ulid(at),
    deviceId: `panel-${storeId}-lane-01`,
    occurredAt: new Date(at).toISOString(),
    seq: ++seq,
    storeId,
    spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
    daemonVersion: '0.1.0',
    models: [],
  };
}
const arrivedAt = (info: StoreInfo, at: number) => ({
  event: status(info.storeId, at),
  arrivedAt: at,
  kind: 'panel' as const,
  store: info,
});

/** A store's last status arrived at `at`: its health item and summary, as the processor writes them. */
async function heardAt(info: StoreInfo, at: number) {
  const { next } = mergeStatuses(undefined, info, [arrivedAt(info, at)], at);
  expect(await new DynamoDbFleetHealth(env.dynamodb, TABLE).put(next)).toBe('ok');
}

async function putRaw(item: Record<string, { S: string } | { N: string }>) {
  await env.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item }));
}

const get = (path: string, query: Record<string, string>) =>
  askImpactApi(env.dynamodb, path, query, { aggregatesTable: TABLE });

beforeAll(async () => {
  env = await freshEmulators(1);
  await heardAt(store('store-silent'), NOW - 120 * MIN);
  await heardAt(store('store-fresh'), NOW - MIN);
}, 60_000);
afterAll(async () => env?.close());

describe('Hostile: malformed coverage summaries', () => {
  beforeAll(async () => {
    const summary = (sk: string, c?: string) =>
      putRaw({
        pk: { S: COVERAGE_PARTITION },
        sk: { S: sk },
        v: { N: '3' },
        ...(c !== undefined && { c: { S: c } }),
      });
    await summary('us-east#store-bad-json', '["store-bad-json","us-east",2,');
    await summary('us-east#store-no-c');
    await summary('us-east#store-object', '{"storeId":"store-object"}');
    await summary('us-east#store-strings', '["store-strings","us-east","2","2","0",-1,"x"]');
    await summary(
      'us-east#store-null-profile',
      JSON.stringify(['store-null-profile', 'us-east', 1, 1, 0, -1, 5, 2, 1, 1, 'UTC', 'x']),
    );
  });

  it('leaves the fleet watch to judge every readable store, and says how many it could not read', async () => {
    // Act
    const run = await watchFleet(env.dynamodb, {
      aggregatesTable: TABLE,
      maxStores: 1_000,
      now: NOW,
    });
    // Assess
    expect(run.report).toMatchObject({ stores: 2, silentDuringOpenHours: 1 });
    expect(run.report.silent.map((s) => s.storeId)).toEqual(['store-silent']);
    expect(run.unreadable).toBe(5);
  });

  it("leaves /v1/impact's coverage to count the readable stores", async () => {
    const today = new Date(NOW).toISOString().slice(0, 10);
    const { status, body } = await get('/v1/impact', { from: today, to: today });
    expect(status).toBe(200);
    expect(body.coverage).toMatchObject({ stores: 2, storesReporting: 1, lanesRegistered: 4 });
  });

  it('reads nothing it cannot vouch for as a number', async () => {
    const { summaries } = await queryCoverage(env.dynamodb, TABLE, 'us-east');
    for (const s of summaries) {
      expect(Number.isFinite(s.writtenAt) && Number.isFinite(s.lanes.missing)).toBe(true);
    }
  });
});

describe('Hostile: a malformed fleet health item', () => {
  const broken = store('store-broken');
  beforeAll(async () => {
    await putRaw({
      pk: { S: 'FLEET#us-east' },
      sk: { S: 'STORE#store-broken' },
      storeId: { S: 'store-broken' },
      region: { S: 'us-east' },
      devices: { S: '{"versions":["0.1.0"],"devices":{"panel-x":[1,2' },
      profile: { S: 'not json' },
      writtenAt: { N: String(NOW - 60 * MIN) },
      v: { N: '7' },
    });
  });

  it("leaves its region's fleet health answered", async () => {
    const { status, body } = await get('/v1/fleet/health', { region: 'us-east', only: 'all' });
    expect(status).toBe(200);
    expect(body.stores.map((s: { storeId: string }) => s.storeId)).toEqual(
      expect.arrayContaining(['store-silent', 'store-fresh']),
    );
  });

  it("leaves the processor writing the other stores' health in the same batch, and replaces it", async () => {
    // Prepare: one batch with a status of the broken store and one of a fresh one.
    const other = store('store-other');
    const health = new DynamoDbFleetHealth(env.dynamodb, TABLE);
    // Act
    const { writes } = await commitHealth(
      [arrivedAt(broken, NOW), arrivedAt(other, NOW)],
      health,
      silentLogger,
      NOW,
    );
    // Assess
    expect(writes).toBe(2);
    const read = await health.load([broken, other]);
    expect(read.get('store-other')?.devices).toHaveProperty('panel-store-other-lane-01');
    expect(read.get('store-broken')).toMatchObject({
      version: 8,
      devices: { 'panel-store-broken-lane-01': expect.objectContaining({ kind: 'panel' }) },
    });
  });
});

describe('Hostile: items written before lanes and profiles were kept', () => {
  // What the processor wrote before this change: a 7-tuple summary, a health item without a
  // profile. A store whose PCs are off for the night (or for good) keeps them until they report.
  const lastWrite = Math.floor((NOW - 300 * MIN) / 1000);
  beforeAll(async () => {
    await putRaw({
      pk: { S: COVERAGE_PARTITION },
      sk: { S: 'us-east#store-old' },
      c: { S: JSON.stringify(['store-old', 'us-east', 2, 0, 2, -1, lastWrite]) },
      v: { N: '40' },
    });
    await putRaw({
      pk: { S: 'FLEET#us-east' },
      sk: { S: 'STORE#store-old' },
      storeId: { S: 'store-old' },
      region: { S: 'us-east' },
      devices: {
        S: JSON.stringify({
          versions: ['0.1.0'],
          models: [],
          devices: { 'panel-store-old-lane-01': [lastWrite, 0, 0, 0, lastWrite, 0, []] },
        }),
      },
      writtenAt: { N: String(lastWrite * 1000) },
      v: { N: '40' },
    });
  });

  it('leaves the fleet watch to count an old summary unjudged rather than watch it around the clock in UTC', async () => {
    // Its open hours and time zone are not in the summary: judged as open around the clock,
    // every store closed for the night would trip the alarm the night of the deploy.
    const run = await watchFleet(env.dynamodb, {
      aggregatesTable: TABLE,
      maxStores: 1_000,
      now: NOW,
    });
    expect(run.report.silent.map((s) => s.storeId)).not.toContain('store-old');
    expect(run.report.unjudged).toBe(1);
  });

  it('still counts the old store in the coverage, and its next status writes its profile', async () => {
    const today = new Date(NOW).toISOString().slice(0, 10);
    const { body } = await get('/v1/impact', { from: today, to: today });
    expect(body.coverage.stores).toBeGreaterThanOrEqual(3);
    const old = store('store-old', { timeZone: 'America/New_York' });
    await commitHealth(
      [arrivedAt(old, NOW)],
      new DynamoDbFleetHealth(env.dynamodb, TABLE),
      silentLogger,
      NOW,
    );
    const [summary] = (await queryCoverage(env.dynamodb, TABLE, 'us-east')).summaries.filter(
      (s) => s.storeId === 'store-old',
    );
    expect(summary?.profile).toEqual({ timeZone: 'America/New_York', lanes: 2 });
  });
});

describe('Hostile: a store registered again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coverage-hostile-'));
  /** `npm run register` with these stores, as an operator runs it. */
  async function register(stores: readonly StoreInfo[]) {
    const file = join(dir, `fleet-${++seq}.json`);
    writeFileSync(file, JSON.stringify({ stores }));
    const run = await runTool(
      'register.ts',
      ['--file', file, '--table', TABLES.registry.localName, '--aggregates-table', TABLE],
      env.emulators,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return run.stdout;
  }
  const coverageOf = async (storeId: string) =>
    (await queryCoverage(env.dynamodb, TABLE, undefined)).summaries.filter(
      (s) => s.storeId === storeId,
    );

  it('in another region leaves no summary behind to be counted twice or watched for ever', async () => {
    // Prepare: store-moving reported in us-east until two hours ago, then moved to us-west.
    const east = store('store-moving');
    await register([east]);
    await heardAt(east, NOW - 120 * MIN);
    // Act
    await register([{ ...east, region: 'us-west' }]);
    // Assess: counted once, in its region now; not silent in the old one.
    expect((await coverageOf('store-moving')).map((s) => s.region)).toEqual(['us-west']);
    const run = await watchFleet(env.dynamodb, {
      aggregatesTable: TABLE,
      maxStores: 1_000,
      now: NOW,
    });
    expect(run.report.silent.filter((s) => s.storeId === 'store-moving')).toEqual([
      expect.objectContaining({ region: 'us-west' }),
    ]);
    const east2 = await get('/v1/fleet/health', { region: 'us-east', only: 'all' });
    expect(east2.body.stores.map((s: { storeId: string }) => s.storeId)).not.toContain(
      'store-moving',
    );
    // What its daemons said moves with it.
    const west = await get('/v1/fleet/health', { region: 'us-west', only: 'all' });
    expect(west.body.stores).toEqual([
      expect.objectContaining({ storeId: 'store-moving', known: 1 }),
    ]);
  });

  it('in another region stays there when a processor still holding the old region writes', async () => {
    // A processor's registry cache keeps an entry a minute: its next status of the store is
    // still folded under us-east.
    const stale = store('store-moving');
    const { writes } = await commitHealth(
      [arrivedAt(stale, NOW)],
      new DynamoDbFleetHealth(env.dynamodb, TABLE),
      silentLogger,
      NOW,
    );
    expect(writes).toBeGreaterThan(0);
    expect((await coverageOf('store-moving')).map((s) => s.region)).toEqual(['us-west']);
    const east = await get('/v1/fleet/health', { region: 'us-east', only: 'all' });
    expect(east.body.stores.map((s: { storeId: string }) => s.storeId)).not.toContain(
      'store-moving',
    );
  });

  it('back in its first region is counted there again, once', async () => {
    await register([store('store-moving')]);
    expect((await coverageOf('store-moving')).map((s) => s.region)).toEqual(['us-east']);
    // Its next status, by a processor that reads the item first.
    await commitHealth(
      [arrivedAt(store('store-moving'), NOW + MIN)],
      new DynamoDbFleetHealth(env.dynamodb, TABLE),
      silentLogger,
      NOW + MIN,
    );
    expect(await coverageOf('store-moving')).toEqual([
      expect.objectContaining({ region: 'us-east', reporting: 1 }),
    ]);
  });

  it('as a test store, or without its lane count, before it was heard from, is no longer counted', async () => {
    // Prepare: two stores registered with their lanes, never heard from.
    const today = new Date(NOW).toISOString().slice(0, 10);
    const stores = async () =>
      (await get('/v1/impact', { from: today, to: today })).body.coverage.stores;
    const before = await stores();
    await register([store('store-to-test'), store('store-no-lanes')]);
    expect(await stores()).toBe(before + 2);
    // Act: registered again, one as a test store, the other without a lane count.
    const { lanes: _, ...withoutLanes } = store('store-no-lanes');
    await register([store('store-to-test', { test: true }), withoutLanes]);
    // Assess
    expect(await stores()).toBe(before);
    expect(await coverageOf('store-to-test')).toEqual([]);
    expect(await coverageOf('store-no-lanes')).toEqual([]);
  });

  it('with its open hours corrected while it is silent, is judged by them at once', async () => {
    // Prepare: registered open around the clock, heard from until two hours ago: silent in its
    // open hours. It is in fact closed now (opens in two hours), as the runbook has the
    // operator correct in its registry entry; no status will come to rewrite its summary.
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const info = store('store-wrong-hours');
    await register([info]);
    await heardAt(info, NOW - 120 * MIN);
    const watched = async () =>
      (
        await watchFleet(env.dynamodb, { aggregatesTable: TABLE, maxStores: 1_000, now: NOW })
      ).report.silent.map((s) => s.storeId);
    expect(await watched()).toContain('store-wrong-hours');
    // Act
    const openHours = { opens: hhmm(NOW + 120 * MIN), closes: hhmm(NOW + 180 * MIN) };
    await register([{ ...info, lanes: 3, openHours }]);
    // Assess
    expect(await watched()).not.toContain('store-wrong-hours');
    expect(await coverageOf('store-wrong-hours')).toEqual([
      expect.objectContaining({
        profile: { timeZone: 'UTC', lanes: 3, openHours },
        lanes: { registered: 3, known: 1, reporting: 1, missing: 2 },
      }),
    ]);
    const { body } = await get('/v1/fleet/health', { region: 'us-east', only: 'all' });
    expect(body.stores).toContainEqual(
      expect.objectContaining({
        storeId: 'store-wrong-hours',
        lanes: expect.objectContaining({ registered: 3 }),
      }),
    );
  });
});
