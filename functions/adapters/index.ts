/**
 * The DynamoDB adapters' face (`#adapters`): the implementations of the domain's ports, the
 * registry's writer, the item codecs the impact reader decodes with, and the one SDK client.
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
  listDeadLetters,
  parseDeadLetterId,
  type StoredDeadLetter,
} from './dynamodb-dead-letters.js';
export {
  DynamoDbRegistry,
  decodeRegistryEntry,
  putRegistryEntries,
  storePk,
} from './dynamodb-registry.js';
export { countersOf, type Item } from './item-codec.js';
export { unpackContributors } from './rollup-codec.js';
export { backfillRollupTotals, registeredRegions } from './rollup-totals-backfill.js';
