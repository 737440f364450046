import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DeadLetterQuery,
  getDeadLetter,
  listDeadLetters,
  type StoredDeadLetter,
} from '#adapters';
import type { DeadLetterKey } from '#domain/dead-letter-id';

/** Read side of the dead-letter table, by key (one Query per arrival date, or one GetItem). */
export interface DeadLetterReader {
  list(query: DeadLetterQuery): Promise<{ letters: StoredDeadLetter[]; truncated: boolean }>;
  get(key: DeadLetterKey): Promise<StoredDeadLetter | undefined>;
}

/** The reader over the DynamoDB table, with the adapter's bounds (at most 20,000 items read). */
export class DynamoDbDeadLetterReader implements DeadLetterReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  list(query: DeadLetterQuery) {
    return listDeadLetters(this.client, this.tableName, query);
  }

  get(key: DeadLetterKey) {
    return getDeadLetter(this.client, this.tableName, key);
  }
}
