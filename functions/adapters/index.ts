/**
 * The AWS adapters' face (`#adapters`): the implementations of the domain's ports, the
 * registry's writer, the item codecs the impact reader decodes with, the one DynamoDB client,
 * the dead-letter table's reading, reading records back from the stream, and the pipeline's
 * status.
 */

export {
  type AggregateStoreOptions,
  DynamoDbAggregateStore,
  HOME_EXPIRES_AT,
} from './dynamodb-aggregate-store.js';
export { dynamodb } from './dynamodb-client.js';
export {
  type DeadLetterKey,
  type DeadLetterQuery,
  DynamoDbDeadLetters,
  getDeadLetter,
  type LetterReplay,
  listDeadLetters,
  markReplayed,
  parseDeadLetterId,
  type StoredDeadLetter,
} from './dynamodb-dead-letters.js';
export {
  COVERAGE_PARTITION,
  DynamoDbFleetHealth,
  dropRegisteredCoverage,
  hasRegisteredCoverage,
  moveStoreCoverage,
  putRegisteredCoverage,
  queryCoverage,
  queryFleetHealth,
  refreshProfiles,
} from './dynamodb-fleet-health.js';
export {
  DynamoDbRegistry,
  decodeRegistryEntry,
  deleteRegistryEntries,
  putRegistryEntries,
  storePk,
} from './dynamodb-registry.js';
export { DynamoDbShardStatus, readShardStatuses } from './dynamodb-shard-status.js';
export { unpackHomeState } from './home-codec.js';
export { countersOf, type Item } from './item-codec.js';
export {
  compareSequence,
  positionKey,
  readStreamRecords,
  type StreamedRecord,
  type StreamPosition,
} from './kinesis-records.js';
export {
  PIPELINE_STATUS_MAX_LETTERS,
  type PipelineStatusReport,
  type PipelineStatusSources,
  readPipelineStatus,
} from './pipeline-status-reader.js';
export { unpackContributors } from './rollup-codec.js';
export { backfillRollupTotals, registeredRegions } from './rollup-totals-backfill.js';
