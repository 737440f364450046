import * as z from 'zod';
import type { RawStreamRecord } from './process-batch.js';

/** The part of Lambda's Kinesis event the processor relies on. */
export const KinesisBatchEvent = z.object({
  Records: z.array(
    z.object({
      eventID: z.string().regex(/^[^:]+:\d+$/),
      kinesis: z.object({
        sequenceNumber: z.string().regex(/^\d+$/),
        partitionKey: z.string(),
        data: z.string(),
        approximateArrivalTimestamp: z.number(),
      }),
    }),
  ),
});
export type KinesisBatchEvent = z.infer<typeof KinesisBatchEvent>;

/** Converts Lambda's event records; the shard id is the part of `eventID` before the colon. */
export function toStreamRecords(event: KinesisBatchEvent): RawStreamRecord[] {
  return event.Records.map((r) => ({
    shardId: r.eventID.slice(0, r.eventID.indexOf(':')),
    sequenceNumber: r.kinesis.sequenceNumber,
    partitionKey: r.kinesis.partitionKey,
    data: Buffer.from(r.kinesis.data, 'base64'),
    arrivedAt: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
  }));
}
