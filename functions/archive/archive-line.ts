import * as z from 'zod';
import type { StreamRecord } from '../processor/process-batch.js';

/**
 * One raw Kinesis record in the archive: a JSON line with its stream position, arrival time
 * and exact bytes (base64, since records may be gzipped KPL aggregates). Firehose's transform
 * Lambda writes these lines to S3; the embedded stack's archiver writes the same lines to a
 * folder. `npm run rebuild` reads them back into records for the processor.
 */
export const ArchiveLine = z
  .object({
    shardId: z.string().min(1),
    sequenceNumber: z.string().regex(/^\d+$/),
    partitionKey: z.string(),
    arrivedAt: z.number().int().min(0),
    data: z.base64(),
  })
  .strict();
export type ArchiveLine = z.infer<typeof ArchiveLine>;

export function toArchiveLine(record: StreamRecord): string {
  const line: ArchiveLine = {
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    arrivedAt: record.arrivedAt,
    data: Buffer.from(record.data).toString('base64'),
  };
  return `${JSON.stringify(line)}\n`;
}

/** Parses one archive line; throws with the line's problem (the archive is ours, so that is a bug). */
export function fromArchiveLine(text: string): StreamRecord {
  const line = ArchiveLine.parse(JSON.parse(text));
  return { ...line, data: Buffer.from(line.data, 'base64') };
}

/** Date path of an archive object: `YYYY/MM/DD` of the arrival (UTC), as Firehose's prefix. */
export const archiveDatePath = (arrivedAt: number) =>
  new Date(arrivedAt).toISOString().slice(0, 10).replaceAll('-', '/');
