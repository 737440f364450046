import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruth } from '#simulator';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { TABLES, TELEMETRY_STREAM } from '../../functions/shared/resources.js';
import { MemoryCheckpointStore } from '../../infra/local/checkpoint-store.js';
import { type EmbeddedStack, startEmbeddedStack } from '../../infra/local/embedded-stack.js';
import { EventSourcePoller } from '../../infra/local/event-source-poller.js';
import { runLocalSimulation } from '../../infra/local/local-simulation.js';
import {
  type DynamoDbFaultProxy,
  startDynamoDbFaultProxy,
} from '../helpers/dynamodb-fault-proxy.js';
import { eventually } from '../helpers/eventually.js';
import { allItems } from '../helpers/local-dynamodb.js';
import { readStream } from '../helpers/stream-reader.js';

let stack: EmbeddedStack;
let proxy: DynamoDbFaultProxy;
let dataDir: string;
let truth: GroundTruth;
let token: string;
const today = new Date();
const day = (offset: number) =>
  new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-2)}&to=${day(1)}`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfi-faults-'));
  stack = await startEmbeddedStack({
    dataDir,
    ports: { api: 0, kinesis: 0, dynamodb: 0 },
    // Small batches, so a run spans many invocations and many injected faults.
    eventSource: {
      batchSize: 25,
      maxBatchingWindowMs: 50,
      pollIntervalMs: 20,
      retryBaseDelayMs: 10,
      maximumRetryAttempts: -1,
    },
    handlerEndpoints: async (direct) => {
      proxy = await startDynamoDbFaultProxy(direct.dynamodb, { refuse: 0.15, loseAck: 0.25 });
      return { ...direct, dynamodb: proxy.url };
    },
  });
  token = await stack.issuer.sign({ sub: 'faults', 'custom:role': 'leadership' }, 600);
  ({ truth } = await runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores: 4,
    rate: 2_000,
    seed: 11,
    maxEvents: 1_500,
    baselines: DEFAULT_BASELINES,
    truthFile: join(dataDir, 'truth.json'),
    spoolDir: join(dataDir, 'spool'),
    aggregate: false,
  }));
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function impact(region?: string) {
  const res = await fetch(
    `${stack.apiUrl}/v1/impact?${PERIOD}${region === undefined ? '' : `&region=${region}`}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return (await res.json()) as {
    shrink: Record<string, number>;
    hoursSaved: Record<string, unknown>;
  };
}

const REGIONS = ['us-east', 'us-central', 'us-west', 'uk', 'de'];
const FIGURES = [
  'detections',
  'lossDetectedCents',
  'lossPreventedCents',
  'confirmedLossCents',
  'outcomes',
  'falsePositives',
] as const;

describe('End to end: exactly-once through processor crashes and replays', () => {
  it('matches the ground truth although writes were refused or lost their answers mid-batch', async () => {
    await eventually(async () => {
      const body = await impact();
      expect(body.shrink).toMatchObject(truth.shrink);
      expect(body.hoursSaved).toMatchObject(truth.hours);
      // Region rollups too: a batch whose region write failed is retried, and catches up.
      const regions = await Promise.all(REGIONS.map((r) => impact(r)));
      for (const figure of FIGURES) {
        expect(
          regions.reduce((sum, r) => sum + (r.shrink[figure] ?? 0), 0),
          figure,
        ).toBe(truth.shrink[figure]);
      }
    }, 60_000);
    expect(proxy.lostAcks).toBeGreaterThan(20);
    expect(proxy.refused).toBeGreaterThan(10);
    expect(truth.resends).toBeGreaterThan(0);
  });

  it('leaves every aggregate bit-identical after a full replay from TRIM_HORIZON', async () => {
    // Prepare
    const before = await allItems(stack.dynamodb, TABLES.aggregates.localName);
    const total = (await readStream(stack.kinesis, TELEMETRY_STREAM.localName)).length;
    let replayed = 0;
    const replay = new EventSourcePoller({
      kinesis: stack.kinesis,
      streamName: TELEMETRY_STREAM.localName,
      checkpoints: new MemoryCheckpointStore(),
      onFailure: async () => undefined,
      batchSize: 100,
      maxBatchingWindowMs: 20,
      pollIntervalMs: 20,
      retryBaseDelayMs: 10,
      maximumRetryAttempts: -1,
      handler: async (event: KinesisStreamEvent) => {
        const response = await stack.processor(event);
        if ((response?.batchItemFailures ?? []).length === 0) replayed += event.Records.length;
        return response;
      },
    });

    // Act
    replay.start();
    await eventually(async () => expect(replayed).toBeGreaterThanOrEqual(total), 60_000);
    await replay.stop();

    // Assess
    expect(await allItems(stack.dynamodb, TABLES.aggregates.localName)).toEqual(before);
  });
});
