import middy from '@middy/core';
import type { FirehoseTransformationResult } from 'aws-lambda';
import * as z from 'zod';
import { DynamoDbRegistry, dynamodb } from '#adapters';
import type { RegistryView } from '#domain/registry-types';
import { parseEvent } from '#shared/middleware/parse-event';
import { createLogger } from '#shared/observability';
import { parseEnv } from '#shared/parse-env';
import { TABLES } from '#shared/resources';
import { NO_SIGNERS, screenRecord, screenVerifying, signersIn } from './archive-line.js';

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
 * What a transform's answer may hold: Lambda refuses a response over 6 MB, and Firehose then
 * fails the whole buffer and writes its raw bytes under `errors/`. The 1 MB buffer keeps
 * honest answers under 3 MB (`npm run bench:archive`); only a flood of tiny refused records,
 * whose lines (position and reason) outweigh their bytes, could pass this.
 */
export const RESPONSE_BUDGET_BYTES = 5 * 1024 * 1024;
/** A response entry's bytes besides its data: `{"recordId":"...","result":"Ok","data":"..."},`. */
const ENTRY_OVERHEAD_BYTES = 48;

/**
 * Firehose transform for the raw archive: each Kinesis record becomes one archive JSON line
 * (see toArchiveLine: exact bytes for a record the contract accepts, only positions and
 * reasons for what it refuses), so that records, gzipped aggregates included, stay separable
 * in the S3 objects Firehose concatenates them into. No record is answered
 * `ProcessingFailed`, and the answer stays within `RESPONSE_BUDGET_BYTES`: a record Firehose
 * saw fail would be written with its raw bytes under the bucket's `errors/` prefix, which is
 * what the archive must never hold. Should the lines pass the budget, stubs (lines of records
 * refused whole, which keep no event) are answered `Dropped`, last first, until it fits: the
 * processor's dead letters keep their positions and reasons, and every accepted event stays
 * in the archive, so a rebuild still counts what the live processor counted.
 */
export function transform(
  event: FirehoseKinesisEvent,
  signers: RegistryView = NO_SIGNERS,
): FirehoseTransformationResult {
  const screened = event.records.map((r) => {
    const { line, keepsEvents } = screenRecord(
      {
        shardId: r.kinesisRecordMetadata.shardId,
        sequenceNumber: r.kinesisRecordMetadata.sequenceNumber,
        partitionKey: r.kinesisRecordMetadata.partitionKey,
        arrivedAt: r.kinesisRecordMetadata.approximateArrivalTimestamp,
        data: Buffer.from(r.data, 'base64'),
      },
      signers,
    );
    const data = Buffer.from(line).toString('base64');
    return { recordId: r.recordId, data, keepsEvents, drop: false };
  });
  let bytes = 0;
  for (const s of screened) bytes += s.recordId.length + s.data.length + ENTRY_OVERHEAD_BYTES;
  for (let i = screened.length - 1; i >= 0 && bytes > RESPONSE_BUDGET_BYTES; i--) {
    const s = screened[i];
    if (s === undefined || s.keepsEvents) continue;
    s.drop = true;
    bytes -= s.data.length;
  }
  return {
    records: screened.map((s) =>
      s.drop
        ? { recordId: s.recordId, result: 'Dropped' as const, data: '' }
        : { recordId: s.recordId, result: 'Ok' as const, data: s.data },
    ),
  };
}

const logger = createLogger('archive-transform');
const ArchiveConfig = z.object({ [TABLES.registry.envVar]: z.string().min(3).max(255) });
let registry: DynamoDbRegistry | undefined;
/** The registry reader, made at the first signed batch (its table from the environment). */
const registryReader = () => {
  registry ??= new DynamoDbRegistry(
    dynamodb,
    parseEnv(ArchiveConfig, process.env, 'archive transform')[TABLES.registry.envVar] as string,
  );
  return registry;
};

/**
 * The registry entries of `signers`, to verify the signatures of the records the archive
 * screens. Never fails the transform (Firehose would archive raw bytes): unreadable, no
 * screened record is marked verified, and a rebuild refuses those (bad_signature).
 */
async function signersOrNone(signers: readonly string[]): Promise<RegistryView> {
  try {
    return await signersIn(registryReader(), signers);
  } catch (error) {
    logger.error('registry unreadable; screened signed records are archived unverified', {
      error: error instanceof Error ? error.message : String(error),
    });
    return NO_SIGNERS;
  }
}

export const handler = middy<FirehoseKinesisEvent, FirehoseTransformationResult>()
  .use(parseEvent(FirehoseKinesisEvent))
  .handler(async (event) => {
    const result = await screenVerifying((signers) => transform(event, signers), signersOrNone);
    const stubsDropped = result.records.filter((r) => r.result === 'Dropped').length;
    if (stubsDropped > 0) {
      logger.warn('archive stubs dropped to keep the response within its budget', {
        stubsDropped,
        records: event.records.length,
      });
    }
    return result;
  });
