import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import {
  archiveDatePath,
  fromArchiveLine,
  toArchiveLine,
} from '../../functions/archive/archive-line.js';
import { KinesisBatchEvent, toStreamRecords } from '../../functions/processor/kinesis-event.js';
import type { StreamRecord } from '../../functions/processor/process-batch.js';

/**
 * The embedded stack's stand-in for the Firehose raw archive: every record of the stream, as
 * the same JSON lines the Firehose transform writes, under `<dir>/raw/YYYY/MM/DD/<shard>.ndjson`
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

/** Every archived record under `dir`, oldest day first, in each file's order. */
export function* readArchive(dir: string): Generator<StreamRecord> {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) =>
        entry.isDirectory()
          ? walk(join(folder, entry.name))
          : entry.name.endsWith('.ndjson')
            ? [join(folder, entry.name)]
            : [],
      );
  for (const file of walk(join(dir, 'raw'))) {
    for (const line of readFileSync(file, 'utf8').split('\n'))
      if (line !== '') yield fromArchiveLine(line);
  }
}
