import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { archiveDatePath, NO_SIGNERS, screenVerifying, signersIn, toArchiveLine } from '#archive';
import type { RegistryReader } from '#domain/ports';
import { KinesisBatchEvent, toStreamRecords } from '#processor';

/**
 * The embedded stack's stand-in for the Firehose raw archive: every record of the stream, as
 * the same JSON lines the Firehose transform writes (toArchiveLine decides what a line keeps), under `<dir>/raw/YYYY/MM/DD/<shard>.ndjson`
 * (arrival date, UTC). At least once, like Firehose: a crash may repeat lines. With `registry`,
 * it verifies the signatures of the signed records it screens, as the Firehose transform does
 * (without, a rebuild refuses those records).
 */
export function archiveHandler(dir: string, registry?: RegistryReader) {
  return async (event: KinesisStreamEvent) => {
    const records = toStreamRecords(KinesisBatchEvent.parse(event));
    const lines = await screenVerifying(
      (signers) => records.map((record) => toArchiveLine(record, signers)),
      async (signers) => (registry === undefined ? NO_SIGNERS : signersIn(registry, signers)),
    );
    for (const [i, record] of records.entries()) {
      const folder = join(dir, 'raw', archiveDatePath(record.arrivedAt));
      mkdirSync(folder, { recursive: true });
      appendFileSync(join(folder, `${record.shardId}.ndjson`), lines[i] as string);
    }
    return { batchItemFailures: [] };
  };
}
