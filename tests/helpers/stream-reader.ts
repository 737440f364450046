import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { listShards } from '#edge-client';
import {
  decodeAggregate,
  inflateRecord,
  inflateWithDictionary,
  isAggregated,
  isDictionaryDeflate,
  isGzip,
  isSignedEnvelope,
  parseEnvelope,
} from '#wire';

/** How a record's body was compressed on the stream. */
export type StreamCompression = 'dictionary' | 'gzip' | 'none';

const inflate = (body: Uint8Array): { compression: StreamCompression; data: Uint8Array } =>
  isDictionaryDeflate(body)
    ? { compression: 'dictionary', data: inflateWithDictionary(body) }
    : isGzip(body)
      ? { compression: 'gzip', data: inflateRecord(body) }
      : { compression: 'none', data: body };

/**
 * Every Kinesis record of a stream, from the start, with its user records split out; `data`
 * is the record inflated (a signed record's body), `compression` says how its body was
 * compressed on the stream, `raw` holds its bytes as they were on the stream (what a
 * processor is handed).
 */
export async function readStream(kinesis: KinesisClient, streamName: string) {
  const shards = await listShards(kinesis, streamName);
  const records: {
    shardId: string;
    sequenceNumber: string;
    partitionKey: string;
    compression: StreamCompression;
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
        const { compression, data } = inflate(body);
        const userRecords = isAggregated(data)
          ? decodeAggregate(data).map((u) => Buffer.from(u.data))
          : [Buffer.from(data)];
        records.push({
          shardId: shard.ShardId as string,
          sequenceNumber: r.SequenceNumber as string,
          partitionKey: r.PartitionKey as string,
          compression,
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
