import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { addDays } from '#domain/calendar';
import { type PipelineStatus, pipelineStatus } from '#domain/pipeline-status';
import { listShards } from '#utils';
import { listDeadLetters } from './dynamodb-dead-letters.js';
import { readShardStatuses } from './dynamodb-shard-status.js';

/** Dead letters read for the hourly counts: beyond this the counts say they are partial. */
export const PIPELINE_STATUS_MAX_LETTERS = 20_000;

export interface PipelineStatusSources {
  readonly stream: string;
  readonly statusTable: string;
  readonly deadLetterTable: string;
}

/** The pipeline's status, the stream it describes, and whether the hourly counts are partial. */
export type PipelineStatusReport = PipelineStatus & {
  readonly stream: string;
  readonly deadLettersTruncated: boolean;
};

/**
 * Reads the pipeline's status as `npm run pipeline-status` and `GET /v1/ops/pipeline-status`
 * show it: the stream's shards (ListShards), each shard's last batch (the pipeline-status
 * table) and the dead letters of today and yesterday (UTC, at most
 * PIPELINE_STATUS_MAX_LETTERS read), judged by `pipelineStatus`.
 */
export async function readPipelineStatus(
  clients: { readonly kinesis: KinesisClient; readonly dynamodb: DynamoDBClient },
  sources: PipelineStatusSources,
  now: number = Date.now(),
): Promise<PipelineStatusReport> {
  const today = new Date(now).toISOString().slice(0, 10);
  const [shards, statuses, letters] = await Promise.all([
    listShards(clients.kinesis, sources.stream),
    readShardStatuses(clients.dynamodb, sources.statusTable),
    listDeadLetters(clients.dynamodb, sources.deadLetterTable, {
      dates: [addDays(today, -1), today],
      limit: PIPELINE_STATUS_MAX_LETTERS,
      maxScanned: PIPELINE_STATUS_MAX_LETTERS,
    }),
  ]);
  const status = pipelineStatus({
    // Open shards, and any shard (closed by a reshard) the processor still reports on.
    shardIds: shards
      .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .flatMap((s) => (s.ShardId === undefined ? [] : [s.ShardId])),
    statuses,
    letters: letters.letters,
    now,
  });
  return { stream: sources.stream, ...status, deadLettersTruncated: letters.truncated };
}
