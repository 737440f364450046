import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { RawStreamRecord } from '../../functions/processor/process-batch.js';
import { TELEMETRY_STREAM } from '../../functions/shared/resources.js';

/**
 * One page of a shard of the local stream (from its start, or after `after`), as Lambda hands
 * records to the processor.
 */
export async function readShard(
  kinesis: KinesisClient,
  options: { readonly after?: string; readonly shardId?: string } = {},
): Promise<RawStreamRecord[]> {
  const shardId = options.shardId ?? 'shardId-000000000000';
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: TELEMETRY_STREAM.localName,
      ShardId: shardId,
      ...(options.after === undefined
        ? { ShardIteratorType: 'TRIM_HORIZON' }
        : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: options.after }),
    }),
  );
  const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return Records.map((r) => ({
    shardId,
    sequenceNumber: r.SequenceNumber as string,
    partitionKey: r.PartitionKey as string,
    data: r.Data as Uint8Array,
    arrivedAt: (r.ApproximateArrivalTimestamp as Date).getTime(),
  }));
}
