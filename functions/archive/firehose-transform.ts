import middy from '@middy/core';
import type { FirehoseTransformationResult } from 'aws-lambda';
import * as z from 'zod';
import { parseEvent } from '../shared/middleware/parse-event.js';
import { toArchiveLine } from './archive-line.js';

/** The part of a Firehose transformation event (Kinesis stream source) the archive needs. */
export const FirehoseKinesisEvent = z.object({
  records: z.array(
    z.object({
      recordId: z.string(),
      data: z.string(),
      kinesisRecordMetadata: z.object({
        shardId: z.string(),
        partitionKey: z.string(),
        sequenceNumber: z.string(),
        approximateArrivalTimestamp: z.number(),
      }),
    }),
  ),
});
export type FirehoseKinesisEvent = z.infer<typeof FirehoseKinesisEvent>;

/**
 * Firehose transform for the raw archive: each Kinesis record becomes one archive JSON line
 * (see toArchiveLine: exact bytes for a record the contract accepts, only positions and
 * reasons for what it refuses), so that records, gzipped aggregates included, stay separable
 * in the S3 objects Firehose concatenates them into. Every record is answered `Ok`: one that
 * Firehose saw fail (`ProcessingFailed`, or a transform that throws) would be written with its
 * raw bytes under the bucket's `errors/` prefix, which is what the archive must never hold.
 */
export function transform(event: FirehoseKinesisEvent): FirehoseTransformationResult {
  return {
    records: event.records.map((r) => ({
      recordId: r.recordId,
      result: 'Ok' as const,
      data: Buffer.from(
        toArchiveLine({
          shardId: r.kinesisRecordMetadata.shardId,
          sequenceNumber: r.kinesisRecordMetadata.sequenceNumber,
          partitionKey: r.kinesisRecordMetadata.partitionKey,
          arrivedAt: r.kinesisRecordMetadata.approximateArrivalTimestamp,
          data: Buffer.from(r.data, 'base64'),
        }),
      ).toString('base64'),
    })),
  };
}

export const handler = middy<FirehoseKinesisEvent, FirehoseTransformationResult>()
  .use(parseEvent(FirehoseKinesisEvent))
  .handler(async (event) => transform(event));
