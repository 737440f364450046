import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDbDeadLetters, dynamodb, markReplayed, readPipelineStatus } from '#adapters';
import { replayDeadLetters, streamSource } from '#archive';
import { processorDeps } from '#processor';
import { createLogger, loggerPort } from '#shared/observability';
import { loadOpsApiConfig } from './config.js';
import { createOpsApiHandler } from './create-handler.js';
import { DynamoDbDeadLetterReader } from './dead-letter-reader.js';

/**
 * The ops API's handler as deployed, over `kinesis`: its configuration read from the
 * environment (once, at cold start), the DynamoDB adapters, and the stream through `kinesis`.
 * A replay reads records from the stream only (the raw archive is the CLI's) and judges them
 * with the processor's own dependencies and settings. The Lambda entry (handler.ts) passes
 * the SDK's Kinesis client; the embedded stack passes its own (HTTP/1.1, which kinesalite
 * speaks), so the bundle carries no HTTP handler of its own.
 */
export function deployedOpsApiHandler(kinesis: KinesisClient) {
  const config = loadOpsApiConfig();
  const logger = loggerPort(createLogger('ops-api'));
  const deadLetters = new DynamoDbDeadLetters(dynamodb, config.deadLettersTable);
  return createOpsApiHandler(
    {
      reader: new DynamoDbDeadLetterReader(dynamodb, config.deadLettersTable),
      replayer: {
        replay: (letters, dryRun) =>
          replayDeadLetters(letters, {
            sources: [streamSource(kinesis, config.streamName)],
            processor: (sink) => processorDeps(dynamodb, config.processor, logger, sink),
            deadLetters,
            mark: (marks) => markReplayed(dynamodb, config.deadLettersTable, marks),
            dryRun,
          }),
      },
      status: () =>
        readPipelineStatus(
          { kinesis, dynamodb },
          {
            stream: config.streamName,
            statusTable: config.pipelineStatusTable,
            deadLetterTable: config.deadLettersTable,
          },
        ),
    },
    { logger },
  );
}
