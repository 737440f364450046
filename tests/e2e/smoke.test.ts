import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeClient } from '#edge-client';
import { putRegistryEntries } from '../../functions/adapters/dynamodb-registry.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { untilConsumed } from '../helpers/event-source-progress.js';
import { testKeys, testSigner } from '../helpers/factories.js';
import { allItems } from '../helpers/local-dynamodb.js';

let stack: EmbeddedStack;
let dataDir: string;
let leadership: string;

const REAL_STORE = 'store-e2e-smoke';
const REAL_PANEL = `panel-${REAL_STORE}`;
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-1)}&to=${day(1)}`;

interface SmokeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface SmokeReport {
  readonly ok: boolean;
  readonly storeId: string;
  readonly deviceId: string;
  readonly steps: { step: string; status: string; ms?: number; detail: string }[];
}

/** `npm run smoke` as a child process; asynchronous, since the emulators run in this process. */
const smoke = (args: string[], env: Record<string, string>) =>
  new Promise<SmokeRun>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/tools/smoke.ts', ...args],
      {
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      },
      (error, stdout, stderr) =>
        resolve({
          status: error === null ? 0 : ((error as { code?: number }).code ?? null),
          stdout,
          stderr,
        }),
    );
  });

const portOf = (url: string) => new URL(url).port;

/** The environment `--local` reads: the embedded stack's ports, as `npm start` takes them. */
const localPorts = () => ({
  API_PORT: portOf(stack.apiUrl),
  KINESIS_PORT: portOf(stack.kinesisEndpoint),
  DYNAMODB_PORT: portOf(stack.dynamodbEndpoint),
});

async function impact(query = '') {
  const res = await fetch(`${stack.apiUrl}/v1/impact?${PERIOD}${query}`, {
    headers: { authorization: `Bearer ${leadership}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { shrink: Record<string, number> }).shrink;
}

async function registered(pk: string): Promise<boolean> {
  const res = await stack.dynamodb.send(
    new GetItemCommand({ TableName: TABLES.registry.localName, Key: { pk: { S: pk } } }),
  );
  return res.Item !== undefined;
}

let before: Record<string, number>;
let good: SmokeRun;
let goodReport: SmokeReport;
let wrongToken: SmokeRun;
let wrongReport: SmokeReport;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-smoke-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    eventSource: { maxBatchingWindowMs: 100, pollIntervalMs: 50 },
  });
  leadership = await stack.issuer.sign({ sub: 'e2e-smoke', 'custom:role': 'leadership' }, 600);
  // Prepare: one real store's detection, so that the organisation's figures are not empty.
  await putRegistryEntries(stack.dynamodb, TABLES.registry.localName, {
    stores: [{ storeId: REAL_STORE, region: 'us-east', timeZone: 'UTC' }],
    devices: [
      { deviceId: REAL_PANEL, kind: 'panel', storeId: REAL_STORE, keys: testKeys(REAL_PANEL) },
    ],
  });
  const edge = await EdgeClient.open({
    streamName: TELEMETRY_STREAM.localName,
    kinesis: stack.kinesis,
    deviceId: REAL_PANEL,
    spool: { dir: join(dataDir, 'real-spool') },
    signer: testSigner(REAL_PANEL),
  });
  await edge.send({
    type: 'detection',
    occurredAt: new Date().toISOString(),
    storeId: REAL_STORE,
    detectionId: ulid(),
    laneId: 'lane-01',
    category: 'walkout',
    confidence: 0.9,
    estimatedLossCents: 4_200,
    model: { name: 'shrink-vision', version: '4.2.1' },
  });
  expect(await edge.flush()).toBe(true);
  await edge.close();
  await untilConsumed(stack.kinesis, TELEMETRY_STREAM.localName, stack.processorCheckpoints);
  before = await impact();

  // Act: a run with a leadership token (--local), then one with a wrong token (--outputs).
  good = await smoke(['--local', '--json', '--timeout', '60'], {
    ...localPorts(),
    SMOKE_TOKEN: leadership,
  });
  goodReport = JSON.parse(good.stdout) as SmokeReport;
  const outputsFile = join(dataDir, 'outputs.json');
  writeFileSync(
    outputsFile,
    JSON.stringify({
      'StoreFloorImpact-local': {
        StreamName: TELEMETRY_STREAM.localName,
        ApiUrl: stack.apiUrl,
        RegistryTable: TABLES.registry.localName,
        AggregatesTable: TABLES.aggregates.localName,
      },
    }),
  );
  wrongToken = await smoke(['--outputs', outputsFile, '--json', '--timeout', '20'], {
    ...stack.env,
    SMOKE_TOKEN: `${leadership.slice(0, -4)}AAAA`,
  });
  wrongReport = JSON.parse(wrongToken.stdout) as SmokeReport;
  // Whatever the two runs put on the stream has been processed before the figures are read.
  await untilConsumed(stack.kinesis, TELEMETRY_STREAM.localName, stack.processorCheckpoints);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('End to end: npm run smoke against the embedded stack', () => {
  it('passes every step, each with its latency, and exits 0', () => {
    expect(good.status, good.stderr).toBe(0);
    expect(goodReport.ok).toBe(true);
    expect(goodReport.steps.map((s) => s.step)).toEqual([
      'outputs',
      'register',
      'send',
      'count',
      'unauthenticated',
      'cleanup',
    ]);
    for (const s of goodReport.steps) {
      expect(s.status, `${s.step}: ${s.detail}`).toBe('pass');
      expect(s.ms).toBeGreaterThanOrEqual(0);
    }
    expect(goodReport.storeId).toMatch(/^smoke-local-/);
  });

  it('fails the count step with a clear message and exits 1 when the token is wrong', () => {
    expect(wrongToken.status).toBe(1);
    expect(wrongReport.ok).toBe(false);
    const count = wrongReport.steps.find((s) => s.step === 'count');
    expect(count?.status).toBe('fail');
    expect(count?.detail).toContain('the API refused the token (401)');
    // The token itself is never printed.
    expect(wrongToken.stdout + wrongToken.stderr).not.toContain(leadership.slice(0, -4));
    expect(wrongReport.steps.find((s) => s.step === 'cleanup')?.status).toBe('pass');
  });

  it('leaves the organisation and region figures without the smoke events', async () => {
    expect(before.detections).toBe(1);
    expect(await impact()).toEqual(before);
    expect(await impact('&region=us-east')).toEqual(before);
    expect((await impact('&region=smoke-test')).detections).toBe(0);
  });

  it('deletes the registry entries it made, and leaves no dead letter even when it failed', async () => {
    for (const report of [goodReport, wrongReport]) {
      expect(await registered(`STORE#${report.storeId}`)).toBe(false);
      expect(await registered(`DEVICE#${report.deviceId}`)).toBe(false);
    }
    expect(await registered(`STORE#${REAL_STORE}`)).toBe(true);
    // The failed run waited for its event to be counted before deleting its device.
    expect(wrongReport.steps.find((s) => s.step === 'cleanup')?.detail).not.toContain(
      'dead-lettered',
    );
    expect(await allItems(stack.dynamodb, TABLES.deadLetters.localName)).toEqual([]);
  });
});
