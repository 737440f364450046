import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/**
 * Every archived record under `dir`, oldest day first, in each file's order: the embedded
 * stack's `.ndjson` files, or Firehose's gzipped objects synced down from the archive bucket.
 */
export function* readArchive(dir: string): Generator<StreamRecord> {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => {
        if (entry.isDirectory()) return walk(join(folder, entry.name));
        return /\.(ndjson|gz)$/.test(entry.name) ? [join(folder, entry.name)] : [];
      });
  for (const file of walk(join(dir, 'raw'))) {
    const bytes = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') yield fromArchiveLine(line);
  }
}
