import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { untilConsumed } from '../helpers/event-source-progress.js';
import { allItems } from '../helpers/local-dynamodb.js';

let stack: EmbeddedStack;
let proxy: DynamoDbFaultProxy;
let dataDir: string;
let truth: GroundTruth;
let drained: boolean;
let token: string;
const today = new Date();
const day = (offset: number) =>
  new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
const PERIOD = `from=${day(-2)}&to=${day(1)}`;
/**
 * A hang guard, not a deadline: about two invocations in three fail some records here, and
 * each is retried, so a loaded machine stretches the run from ~15 s to minutes (up to 170 s
 * measured with three such runs and a busy process on 2 cores). The tests wait for the event
 * source to consume the stream, never for a clock.
 */
const HANG_GUARD_MS = 600_000;

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
  ({ truth, drained } = await runLocalSimulation({
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
}, HANG_GUARD_MS);

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

describe('End to end: exactly-once through processor crashes and replays', {
  timeout: HANG_GUARD_MS,
}, () => {
  it('matches the ground truth although writes were refused or lost their answers mid-batch', async () => {
    // Every event the edge accepted is on the stream, and every record committed: from here
    // the figures are final, so they are checked once, not polled until a deadline.
    expect(drained).toBe(true);
    await untilConsumed(stack.kinesis, TELEMETRY_STREAM.localName, stack.processorCheckpoints);

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
    expect(proxy.lostAcks).toBeGreaterThan(20);
    expect(proxy.refused).toBeGreaterThan(10);
    expect(truth.resends).toBeGreaterThan(0);
  });

  it('leaves every aggregate bit-identical after a full replay from TRIM_HORIZON', async () => {
    // Prepare
    const before = await allItems(stack.dynamodb, TABLES.aggregates.localName);
    const checkpoints = new MemoryCheckpointStore();
    const replay = new EventSourcePoller({
      kinesis: stack.kinesis,
      streamName: TELEMETRY_STREAM.localName,
      checkpoints,
      onFailure: async () => undefined,
      batchSize: 100,
      maxBatchingWindowMs: 20,
      pollIntervalMs: 20,
      retryBaseDelayMs: 10,
      maximumRetryAttempts: -1,
      handler: stack.processor,
    });

    // Act
    replay.start();
    await untilConsumed(stack.kinesis, TELEMETRY_STREAM.localName, checkpoints);
    await replay.stop();

    // Assess
    expect(await allItems(stack.dynamodb, TABLES.aggregates.localName)).toEqual(before);
  });
});
