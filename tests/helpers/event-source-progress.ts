import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { sleep } from '#edge-client';
import type { CheckpointStore } from '../../infra/local/checkpoint-store.js';
import { readStream } from './stream-reader.js';

/** A shard whose consumer has not yet checkpointed the stream's last record, and where it is. */
interface Behind {
  readonly shardId: string;
  readonly tip: string;
  readonly checkpoint: string;
}

/**
 * Resolves once an event source has checkpointed the last record of every shard of the stream
 * as it is when called: every record on it has been processed and committed (the poller moves
 * a checkpoint past a record only then). It waits on progress, not on a clock, so a loaded
 * machine makes it slower, never wrong. It rejects, naming where each shard stands, only if
 * no checkpoint moves for `stallMs`: a stuck shard, not a slow one.
 */
export async function untilConsumed(
  kinesis: KinesisClient,
  streamName: string,
  checkpoints: Pick<CheckpointStore, 'get'>,
  stallMs = 120_000,
): Promise<void> {
  const tips = new Map<string, string>();
  for (const r of await readStream(kinesis, streamName)) {
    const tip = tips.get(r.shardId);
    if (tip === undefined || BigInt(r.sequenceNumber) > BigInt(tip))
      tips.set(r.shardId, r.sequenceNumber);
  }
  const behind = (): Behind[] =>
    [...tips].flatMap(([shardId, tip]) => {
      const cp = checkpoints.get(shardId);
      if (cp !== undefined && 'shardEnd' in cp) return [];
      if (cp !== undefined && BigInt(cp.after) >= BigInt(tip)) return [];
      return [{ shardId, tip, checkpoint: cp?.after ?? 'none' }];
    });
  let last = JSON.stringify(behind());
  let movedAt = Date.now();
  for (let now = behind(); now.length > 0; now = behind()) {
    const seen = JSON.stringify(now);
    if (seen !== last) {
      last = seen;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`event source stalled for ${stallMs} ms: ${seen}`);
    }
    await sleep(100);
  }
}
