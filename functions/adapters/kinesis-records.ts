import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

/** A stream position: a Kinesis record's shard and sequence number. */
export interface StreamPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** A record read back from the stream, as the processor takes it. */
export interface StreamedRecord extends StreamPosition {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Epoch ms at which Kinesis accepted the record. */
  readonly arrivedAt: number;
}

export const positionKey = (p: StreamPosition) => `${p.shardId}#${p.sequenceNumber}`;

/** Records one GetRecords call reads at a position, to pick up wanted neighbours too. */
const PAGE = 100;

/**
 * Errors that say the stream does not hold the position (trimmed past retention, another
 * stream's sequence number, a shard that is gone): the record must come from elsewhere.
 */
const NOT_HELD = new Set([
  'TrimmedDataAccessException',
  'InvalidArgumentException',
  'ResourceNotFoundException',
]);

/**
 * Reads the records at `positions` back from the stream while it retains them: per shard in
 * sequence order, one iterator at each wanted position not already read, and one page of
 * records from it (so neighbouring wanted records cost no extra call). The answer holds the
 * positions found; a position the stream no longer holds (or never held) is absent, and any
 * other error (throttling past the SDK's retries, no access) is thrown.
 */
export async function readStreamRecords(
  client: KinesisClient,
  streamName: string,
  positions: readonly StreamPosition[],
): Promise<Map<string, StreamedRecord>> {
  const found = new Map<string, StreamedRecord>();
  const wanted = new Set(positions.map(positionKey));
  const ordered = [...positions].sort(
    (a, b) =>
      a.shardId.localeCompare(b.shardId) || compareSequence(a.sequenceNumber, b.sequenceNumber),
  );
  for (const position of ordered) {
    const key = positionKey(position);
    if (found.has(key)) continue;
    const page = await readPageAt(client, streamName, position);
    for (const record of page) {
      const at = positionKey(record);
      if (wanted.has(at)) found.set(at, record);
    }
  }
  return found;
}

async function readPageAt(
  client: KinesisClient,
  streamName: string,
  position: StreamPosition,
): Promise<StreamedRecord[]> {
  try {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: position.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: position.sequenceNumber,
      }),
    );
    if (ShardIterator === undefined) return [];
    const { Records = [] } = await client.send(
      new GetRecordsCommand({ ShardIterator, Limit: PAGE }),
    );
    return Records.flatMap((r) =>
      r.SequenceNumber === undefined || r.Data === undefined
        ? []
        : [
            {
              shardId: position.shardId,
              sequenceNumber: r.SequenceNumber,
              partitionKey: r.PartitionKey ?? '',
              data: r.Data,
              arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
            },
          ],
    );
  } catch (error) {
    if (error instanceof Error && NOT_HELD.has(error.name)) return [];
    throw error;
  }
}

/** Kinesis sequence numbers are decimal strings up to 128 digits: compare them as numbers. */
export function compareSequence(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
