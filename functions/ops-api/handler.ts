import {
  createStreamReaderClient,
  DynamoDbDeadLetters,
  dynamodb,
  markReplayed,
  readPipelineStatus,
} from '#adapters';
import { replayDeadLetters, streamSource } from '#archive';
import { processorDeps } from '#processor';
import { createLogger, loggerPort } from '#shared/observability';
import { loadOpsApiConfig } from './config.js';
import { createOpsApiHandler } from './create-handler.js';
import { DynamoDbDeadLetterReader } from './dead-letter-reader.js';

const config = loadOpsApiConfig();
const logger = loggerPort(createLogger('ops-api'));
const kinesis = createStreamReaderClient();
const deadLetters = new DynamoDbDeadLetters(dynamodb, config.deadLettersTable);

/**
 * API Gateway HTTP API (payload v2) handler of the `/v1/ops/*` routes. A replay reads records
 * from the stream only (the raw archive is the CLI's) and judges them with the processor's own
 * dependencies and settings.
 */
export const handler = createOpsApiHandler(
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
