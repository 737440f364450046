import { type ProcessorDeps, processBatch, type StreamRecord } from '#processor';
import { sleep } from '#utils';

export interface RebuildReport {
  records: number;
  batches: number;
  counted: number;
  duplicates: number;
  deadLettered: number;
}

/**
 * Replays archived records through the processor into the aggregates `deps` point at (a fresh
 * table, typically, with new rules such as changed hours-saved baselines). Records keep their
 * shard order; the same exactly-once folding as live processing makes duplicates in the
 * archive (an at-least-once copy of the stream) harmless. A batch that reports failures is
 * retried from its first failed record, as Lambda does (records the processor deferred past
 * its inflate budget come back this way), so a rebuild never skips records silently; one that
 * keeps failing without moving stops it.
 */
export async function rebuildFromRecords(
  records: AsyncIterable<StreamRecord> | Iterable<StreamRecord>,
  deps: ProcessorDeps,
  batchSize = 500,
): Promise<RebuildReport> {
  const report: RebuildReport = {
    records: 0,
    batches: 0,
    counted: 0,
    duplicates: 0,
    deadLettered: 0,
  };
  const pending = new Map<string, StreamRecord[]>();
  const flush = async (shard: string) => {
    let batch = pending.get(shard) ?? [];
    pending.delete(shard);
    for (let attempt = 1; batch.length > 0; attempt++) {
      const result = await processBatch(batch, deps);
      report.counted += result.stats.counted;
      report.duplicates += result.stats.duplicates;
      report.deadLettered += result.stats.deadLettered;
      if (result.failedSequenceNumbers.length === 0) break;
      const failed = new Set(result.failedSequenceNumbers);
      const from = batch.findIndex((r) => failed.has(r.sequenceNumber));
      if (from > 0) {
        // Progress (a deferred tail, or a failure behind done records): not an attempt lost.
        batch = batch.slice(from);
        attempt = 0;
        continue;
      }
      if (attempt >= 5) throw new Error(`rebuild: a batch of ${shard} kept failing`);
      await sleep(200 * attempt);
    }
    report.batches++;
  };
  for await (const record of records) {
    report.records++;
    const batch = pending.get(record.shardId) ?? [];
    batch.push(record);
    pending.set(record.shardId, batch);
    if (batch.length >= batchSize) await flush(record.shardId);
  }
  for (const shard of [...pending.keys()]) await flush(shard);
  return report;
}
