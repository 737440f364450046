import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbAggregateStore,
  DynamoDbDeadLetters,
  DynamoDbFleetHealth,
  DynamoDbRegistry,
} from '#adapters';
import type { DeadLetterSink, Logger } from '#domain/ports';
import type { loadProcessorConfig } from './config.js';
import type { ProcessorDeps } from './process-batch.js';

export type ProcessorConfigValues = ReturnType<typeof loadProcessorConfig>;

/**
 * The processor's dependencies from its configuration: what the Lambda handler runs with, and
 * what a replay of dead letters must run with to judge records as the live processor does.
 * `deadLetters` replaces the table's sink (a replay wraps it to see what it writes again).
 */
export function processorDeps(
  client: DynamoDBClient,
  config: ProcessorConfigValues,
  logger: Logger,
  deadLetters: DeadLetterSink = new DynamoDbDeadLetters(client, config.deadLetterTable),
): ProcessorDeps {
  return {
    aggregates: new DynamoDbAggregateStore(client, config.aggregatesTable, {
      homeRetentionMs: config.homeRetentionMs,
    }),
    registry: new DynamoDbRegistry(client, config.registryTable),
    deadLetters,
    health: new DynamoDbFleetHealth(client, config.aggregatesTable),
    logger,
    fold: { baselines: config.baselines },
    eventTime: config.eventTime,
    inflatedBytesPerBatch: config.inflatedBytesPerBatch,
    unsignedRecords: config.unsignedRecords,
  };
}
