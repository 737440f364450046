import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceStatusEvent } from '../../edge-client/src/contract/index.js';
import {
  DynamoDbFleetHealth,
  putCoverageSummary,
} from '../../functions/adapters/dynamodb-fleet-health.js';
import { mergeStatuses, registeredCoverage } from '../../functions/domain/fleet-health.js';
import type { StoreInfo } from '../../functions/domain/registry-types.js';
import { FLEET_WATCH_METRICS, FLEET_WATCH_SERVICE } from '../../functions/fleet-watch/metrics.js';
import { METRIC_NAMESPACE } from '../../functions/shared/observability.js';
import { TABLES } from '../../functions/shared/resources.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';
import { runTool } from '../helpers/tool-run.js';

/**
 * The scheduled fleet watch on the embedded DynamoDB: coverage summaries written as the
 * processor and the registration write them, read back by the deployed handler, which emits
 * its metrics in the embedded metric format and logs the silent stores; and the same run from
 * `npm run fleet-watch`.
 */
let env: Awaited<ReturnType<typeof freshEmulators>>;
const MIN = 60_000;
const NOW = Date.now();
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Open around the clock, in UTC. */
const store = (storeId: string, over: Partial<StoreInfo> = {}): StoreInfo => ({
  storeId,
  region: 'us-east',
  timeZone: 'UTC',
  lanes: 2,
  ...over,
});
/** Opens in two hours and closes in three: closed now, whatever the time of day. */
const CLOSED_NOW = { opens: hhmm(NOW + 120 * MIN), closes: hhmm(NOW + 180 * MIN) };

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

/** A store's last status arrived at `at`: its health item and summary, as the processor writes them. */
async function heardAt(info: StoreInfo, at: number) {
  const { next } = mergeStatuses(
    undefined,
    info,
    [{ event: status(info.storeId, at), arrivedAt: at, kind: 'panel' }],
    at,
  );
  expect(await new DynamoDbFleetHealth(env.dynamodb, TABLES.aggregates.localName).put(next)).toBe(
    'ok',
  );
}

/**
 * Lines the function wrote while `act` ran, parsed: EMF documents and log lines (Powertools
 * writes warnings and errors to standard error; Lambda sends both streams to its log group).
 */
async function outputOf(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const context = {
  functionName: 'fleet-watch',
  functionVersion: '$LATEST',
  awsRequestId: 'watch-run-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fleet-watch',
  memoryLimitInMB: '256',
  logGroupName: '/aws/lambda/fleet-watch',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

beforeAll(async () => {
  env = await freshEmulators(1);
  // Silent two hours, and silent longer; heard from a minute ago; closed now; a test store.
  await heardAt(store('store-silent'), NOW - 120 * MIN);
  await heardAt(store('store-silent-longer', { region: 'us-west' }), NOW - 300 * MIN);
  await heardAt(store('store-fresh'), NOW - MIN);
  await heardAt(store('store-closed', { openHours: CLOSED_NOW }), NOW - 300 * MIN);
  await heardAt(store('store-test', { test: true }), NOW - 300 * MIN);
  // Registered yesterday, never heard from.
  const never = registeredCoverage(store('store-new'), NOW - 24 * 60 * MIN);
  await putCoverageSummary(env.dynamodb, TABLES.aggregates.localName, never, 0);
}, 60_000);
afterAll(async () => env?.close());

describe('Integration: the fleet watch', () => {
  it('emits SilentStores and StoresNeverHeard in the embedded metric format and logs the stores silent longest', async () => {
    // Prepare: the deployed handler, loaded once its environment points at the emulator.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: env.emulators.dynamodbEndpoint,
      [TABLES.aggregates.envVar]: TABLES.aggregates.localName,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
    const { handler } = await import('../../functions/fleet-watch/handler.js');

    // Act
    const lines = await outputOf(() => handler({}, context));

    // Assess: one EMF document with both counts, under the namespace and service dimension.
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([
              { Name: FLEET_WATCH_METRICS.silentStores, Unit: 'Count' },
              { Name: FLEET_WATCH_METRICS.storesNeverHeard, Unit: 'Count' },
            ]),
          },
        ],
      },
      service: FLEET_WATCH_SERVICE,
      [FLEET_WATCH_METRICS.silentStores]: 2,
      [FLEET_WATCH_METRICS.storesNeverHeard]: 1,
    });
    // One warning naming the silent stores, longest first, by identifier and time only.
    const log = lines.find((l) => l.message === 'stores silent during open hours');
    expect(log).toMatchObject({
      level: 'WARN',
      service: FLEET_WATCH_SERVICE,
      function_request_id: 'watch-run-1',
      stores: 5,
      storesOpen: 4,
      silentDuringOpenHours: 2,
      neverHeardWhileOpen: 1,
      unjudged: 0,
      summariesRead: 6,
      truncated: false,
      regions: [
        { region: 'us-east', stores: 4, silentDuringOpenHours: 1, neverHeardWhileOpen: 1 },
        { region: 'us-west', stores: 1, silentDuringOpenHours: 1, neverHeardWhileOpen: 0 },
      ],
      silent: [
        {
          storeId: 'store-silent-longer',
          region: 'us-west',
          // Summaries keep whole seconds.
          lastHeardAt: new Date(Math.floor((NOW - 300 * MIN) / 1000) * 1000).toISOString(),
        },
        { storeId: 'store-silent', region: 'us-east' },
      ],
      neverHeard: [{ storeId: 'store-new', region: 'us-east' }],
    });
    const [first] = (log?.silent ?? []) as object[];
    expect(Object.keys(first ?? {}).sort()).toEqual([
      'lastHeardAt',
      'region',
      'silentMinutes',
      'storeId',
    ]);
  });

  it('runs the same watch from npm run fleet-watch, exit 1 while a store is silent in its open hours', async () => {
    const json = await runTool('fleet-watch.ts', ['--json'], env.emulators);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      silentDuringOpenHours: 2,
      neverHeardWhileOpen: 1,
      truncated: false,
    });

    const text = await runTool('fleet-watch.ts', [], env.emulators);
    expect(text.stdout).toContain('silent during open hours: 2');
    expect(text.stdout).toMatch(/store-silent-longer\s+us-west\s+last heard/);

    // In two and a half hours store-closed has been open 30 minutes, silent since long before,
    // and store-fresh has been silent too; the longest silent first (ties by store id).
    const later = await runTool(
      'fleet-watch.ts',
      ['--json', '--at', new Date(NOW + 150 * MIN).toISOString()],
      env.emulators,
    );
    expect(JSON.parse(later.stdout).silent.map((s: { storeId: string }) => s.storeId)).toEqual([
      'store-closed',
      'store-silent-longer',
      'store-silent',
      'store-fresh',
    ]);
  });

  it('refuses a malformed command line with exit 2', async () => {
    const result = await runTool('fleet-watch.ts', ['--at', 'yesterday'], env.emulators);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--at must be an ISO-8601 instant');
  });
});
