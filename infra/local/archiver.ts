import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { archiveDatePath, toArchiveLine } from '#archive';
import { KinesisBatchEvent, toStreamRecords } from '#processor';

/**
 * The embedded stack's stand-in for the Firehose raw archive: every record of the stream, as
 * the same JSON lines the Firehose transform writes (toArchiveLine decides what a line keeps), under `<dir>/raw/YYYY/MM/DD/<shard>.ndjson`
 * (arrival date, UTC). At least once, like Firehose: a crash may repeat lines.
 */
export function archiveHandler(dir: string) {
  return async (event: KinesisStreamEvent) => {
    for (const record of toStreamRecords(KinesisBatchEvent.parse(event))) {
      const folder = join(dir, 'raw', archiveDatePath(record.arrivedAt));
      mkdirSync(folder, { recursive: true });
      appendFileSync(join(folder, `${record.shardId}.ndjson`), toArchiveLine(record));
    }
    return { batchItemFailures: [] };
  };
}
