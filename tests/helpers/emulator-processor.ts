import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import { DynamoDbRegistry } from '../../functions/adapters/dynamodb-registry.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type { ProcessorDeps } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { silentLogger } from './in-memory-aggregates.js';

/**
 * The processor's dependencies over the emulator's tables, with the default baselines and
 * event-time rules and a silent logger; `over` replaces any of them.
 */
export function processorOn(
  dynamodb: DynamoDBClient,
  over: Partial<ProcessorDeps> = {},
): ProcessorDeps {
  return {
    aggregates: new DynamoDbAggregateStore(dynamodb, TABLES.aggregates.localName),
    registry: new DynamoDbRegistry(dynamodb, TABLES.registry.localName),
    deadLetters: new DynamoDbDeadLetters(dynamodb, TABLES.deadLetters.localName),
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
    ...over,
  };
}
