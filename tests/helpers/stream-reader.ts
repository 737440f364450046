import { gunzipSync } from 'node:zlib';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { listShards } from '#edge-client';
import { decodeAggregate, isAggregated, isSignedEnvelope, parseEnvelope } from '#wire';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { NOON } from './factories.js';
import {
  InMemoryAggregates,
  InMemoryDeadLetters,
  silentLogger,
  staticRegistry,
} from './in-memory-aggregates.js';

/**
 * Every Kinesis record of a stream, from the start, with its user records split out; `data`
 * is the record inflated (a signed record's body), `gzipped` says whether it was on the
 * stream, `raw` holds its bytes as they were on the stream (what a processor is handed).
 */
export async function readStream(kinesis: KinesisClient, streamName: string) {
  const shards = await listShards(kinesis, streamName);
  const records: {
    shardId: string;
    sequenceNumber: string;
    partitionKey: string;
    gzipped: boolean;
    signed: boolean;
    raw: Uint8Array;
    data: Uint8Array;
    userRecords: Buffer[];
  }[] = [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator !== undefined) {
      const page = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const r of page.Records ?? []) {
        const raw = r.Data ?? new Uint8Array();
        const signed = isSignedEnvelope(raw);
        const body = signed ? parseEnvelope(raw).body : raw;
        const gzipped = body[0] === 0x1f && body[1] === 0x8b;
        const data = gzipped ? gunzipSync(body) : body;
        const userRecords = isAggregated(data)
          ? decodeAggregate(data).map((u) => Buffer.from(u.data))
          : [Buffer.from(data)];
        records.push({
          shardId: shard.ShardId as string,
          sequenceNumber: r.SequenceNumber as string,
          partitionKey: r.PartitionKey as string,
          gzipped,
          signed,
          raw,
          data,
          userRecords,
        });
      }
      if ((page.Records ?? []).length === 0 || (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/** The event ids on a stream, with how often each occurs. */
export async function eventIdsOnStream(
  kinesis: KinesisClient,
  streamName: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const record of await readStream(kinesis, streamName)) {
    for (const user of record.userRecords) {
      const id = (JSON.parse(user.toString()) as { eventId: string }).eventId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Runs the processor's batch over records read from the stream (readStream), arrived at NOON,
 * against in-memory aggregates and dead letters and the static registry, refusing unsigned
 * records (the default).
 */
export async function processInMemory(records: Awaited<ReturnType<typeof readStream>>) {
  const aggregates = new InMemoryAggregates();
  const deadLetters = new InMemoryDeadLetters();
  const result = await processBatch(
    records.map(({ shardId, sequenceNumber, partitionKey, raw }) => ({
      shardId,
      sequenceNumber,
      partitionKey,
      data: raw,
      arrivedAt: NOON,
    })),
    {
      aggregates,
      registry: staticRegistry,
      deadLetters,
      logger: silentLogger,
      fold: { baselines: DEFAULT_BASELINES },
      eventTime: DEFAULT_EVENT_TIME_RULES,
      unsignedRecords: 'refuse',
    },
  );
  return { result, aggregates, deadLetters };
}
