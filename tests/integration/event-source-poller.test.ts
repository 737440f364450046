import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '#edge-client';
import { FileCheckpointStore } from '../../infra/local/checkpoint-store.js';
import {
  EventSourcePoller,
  type OnFailureRecord,
  type PollerOptions,
} from '../../infra/local/event-source-poller.js';
import { freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
let streamCount = 0;

beforeAll(async () => {
  env = await freshEmulators();
});
afterAll(async () => env.close());

/** A one-shard stream holding `count` records whose data is "0", "1", ... */
async function streamWith(count: number): Promise<string> {
  const name = `poller-test-${++streamCount}`;
  await env.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntilStreamExists(
    { client: env.kinesis, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
    { StreamName: name },
  );
  if (count === 0) return name;
  await env.kinesis.send(
    new PutRecordsCommand({
      StreamName: name,
      Records: Array.from({ length: count }, (_, i) => ({
        Data: Buffer.from(String(i)),
        PartitionKey: 'k',
      })),
    }),
  );
  return name;
}

const payloads = (event: KinesisStreamEvent) =>
  event.Records.map((r) => Number(Buffer.from(r.kinesis.data, 'base64').toString()));

/** Runs a poller until `done()` holds (or 20 s pass), then stops it. */
async function runPoller(
  options: Omit<PollerOptions, 'kinesis' | 'onFailure' | 'checkpoints'> & Partial<PollerOptions>,
  done: (failures: readonly OnFailureRecord[]) => boolean,
) {
  const failures: OnFailureRecord[] = [];
  const poller = new EventSourcePoller({
    kinesis: env.kinesis,
    checkpoints: new FileCheckpointStore(
      join(mkdtempSync(join(tmpdir(), 'cp-')), 'checkpoints.json'),
    ),
    onFailure: async (f) => {
      failures.push(f);
    },
    pollIntervalMs: 20,
    retryBaseDelayMs: 5,
    maxBatchingWindowMs: 50,
    ...options,
  });
  poller.start();
  const deadline = Date.now() + 20_000;
  while (!done(failures) && Date.now() < deadline) await sleep(20);
  await poller.stop();
  return failures;
}

describe('Integration: event-source poller (Lambda Kinesis semantics) on kinesalite', () => {
  it('delivers in order, in batches of at most batchSize', async () => {
    const streamName = await streamWith(25);
    const batches: number[][] = [];
    await runPoller(
      {
        streamName,
        batchSize: 10,
        handler: async (e) => {
          batches.push(payloads(e));
          return { batchItemFailures: [] };
        },
      },
      () => batches.flat().length >= 25,
    );
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
  });

  it("caps a batch's payload at Lambda's 6 MB, the rest following in order in the next batch", async () => {
    // Prepare: 8 records of 700 KB (933 KB each in base64), 7.3 MB of payload in all.
    const streamName = await streamWith(0);
    for (let i = 0; i < 8; i += 2) {
      await env.kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: [i, i + 1].map((n) => ({
            Data: Buffer.concat([Buffer.from(`${n}:`), Buffer.alloc(700_000, 120)]),
            PartitionKey: 'k',
          })),
        }),
      );
    }
    const batches: { order: number[]; bytes: number }[] = [];
    // Act
    await runPoller(
      {
        streamName,
        batchSize: 100,
        handler: async (e) => {
          batches.push({
            order: e.Records.map((r) =>
              Number(Buffer.from(r.kinesis.data, 'base64').subarray(0, 8).toString().split(':')[0]),
            ),
            bytes: Buffer.byteLength(JSON.stringify(e)),
          });
          return { batchItemFailures: [] };
        },
      },
      () => batches.flatMap((b) => b.order).length >= 8,
    );
    // Assess
    expect(batches.flatMap((b) => b.order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.bytes).toBeLessThanOrEqual(6 * 1048576);
  });

  it('checkpoints before the lowest reported failure and retries from it', async () => {
    const streamName = await streamWith(6);
    const batches: number[][] = [];
    let failedOnce = false;
    await runPoller(
      {
        streamName,
        batchSize: 6,
        handler: async (e) => {
          batches.push(payloads(e));
          if (!failedOnce) {
            failedOnce = true;
            // Report records 4 and 2: Lambda resumes from the lowest, 2.
            return {
              batchItemFailures: [
                { itemIdentifier: e.Records[4]?.kinesis.sequenceNumber as string },
                { itemIdentifier: e.Records[2]?.kinesis.sequenceNumber as string },
              ],
            };
          }
          return { batchItemFailures: [] };
        },
      },
      () => batches.length >= 2,
    );
    expect(batches).toEqual([
      [0, 1, 2, 3, 4, 5],
      [2, 3, 4, 5],
    ]);
  });

  it('bisects a crashing batch and sends only the crashing record to the on-failure destination', async () => {
    const streamName = await streamWith(8);
    const delivered = new Set<number>();
    const failures = await runPoller(
      {
        streamName,
        batchSize: 8,
        maximumRetryAttempts: 2,
        handler: async (e) => {
          const values = payloads(e);
          if (values.includes(5)) throw new Error('record 5 crashes the function');
          for (const v of values) delivered.add(v);
          return undefined;
        },
      },
      () => delivered.size >= 7,
    );
    await sleep(300);
    expect([...delivered].sort()).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      KinesisBatchInfo: { batchSize: 1, shardId: 'shardId-000000000000' },
    });
  });

  it('treats an unknown item identifier as a failure of the whole batch, bounded by the retry limit', async () => {
    const streamName = await streamWith(3);
    let calls = 0;
    const failures = await runPoller(
      {
        streamName,
        batchSize: 3,
        maximumRetryAttempts: 2,
        handler: async () => {
          calls++;
          return { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] };
        },
      },
      () => calls >= 3,
    );
    await sleep(200);
    expect(calls).toBe(3); // first try + 2 retries
    expect(failures.map((f) => f.KinesisBatchInfo.batchSize)).toEqual([3]);
  });

  it('sends records older than the maximum record age to the on-failure destination unprocessed', async () => {
    const streamName = await streamWith(4);
    await sleep(50);
    let invoked = false;
    const failures = await runPoller(
      {
        streamName,
        maximumRecordAgeMs: 1,
        handler: async () => {
          invoked = true;
          return undefined;
        },
      },
      (f) => f.length > 0,
    );
    expect(invoked).toBe(false);
    expect(failures[0]?.requestContext.condition).toBe('RecordAgeExceeded');
  });

  it('resumes from its persisted checkpoint after a restart', async () => {
    const streamName = await streamWith(5);
    const file = join(mkdtempSync(join(tmpdir(), 'cp-')), 'checkpoints.json');
    const seen: number[] = [];
    const handler = async (e: KinesisStreamEvent) => {
      seen.push(...payloads(e));
      return undefined;
    };
    await runPoller(
      { streamName, handler, checkpoints: new FileCheckpointStore(file) },
      () => seen.length >= 5,
    );
    await env.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: [{ Data: Buffer.from('5'), PartitionKey: 'k' }],
      }),
    );
    await runPoller(
      { streamName, handler, checkpoints: new FileCheckpointStore(file) },
      () => seen.length >= 6,
    );
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
