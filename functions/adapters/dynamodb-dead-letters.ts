import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DeadLetter, DeadLetterSink } from '#domain/ports';
import { putAll } from './batch-write.js';
import type { Item } from './item-codec.js';

/**
 * Dead letters in a DynamoDB table: `pk` = `DLQ#{arrival date}`, `sk` = the record's stream
 * position (of the first user record the letter stands for), so a retried batch rewrites the
 * same item instead of adding a copy, and operators can list a day's dead letters with one
 * Query. `count` says how many user records the letter stands for, `subSequenceNumbers` and
 * `eventIds` which. The payload is not stored, and the detail holds field paths and the
 * contract's expectations, never values: the position finds the record in the stream while
 * it is retained (the raw archive keeps only what the contract accepts).
 */
export class DynamoDbDeadLetters implements DeadLetterSink {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(letters: readonly DeadLetter[]): Promise<void> {
    await putAll(this.client, this.tableName, letters.map(encode));
  }
}

/** Sort key of a stream position: shard, then the sequence number padded to sort numerically. */
export function positionSortKey(letter: Pick<DeadLetter, 'position'>): string {
  const { shardId, sequenceNumber, subSequenceNumber } = letter.position;
  return `${shardId}#${sequenceNumber.padStart(64, '0')}#${String(subSequenceNumber).padStart(6, '0')}`;
}

function encode(letter: DeadLetter): Item {
  const item: Item = {
    pk: { S: `DLQ#${letter.arrivedAt.slice(0, 10)}` },
    sk: { S: positionSortKey(letter) },
    shardId: { S: letter.position.shardId },
    sequenceNumber: { S: letter.position.sequenceNumber },
    subSequenceNumber: { N: String(letter.position.subSequenceNumber) },
    reason: { S: letter.reason },
    detail: { S: letter.detail.slice(0, 2_000) },
    arrivedAt: { S: letter.arrivedAt },
    sizeBytes: { N: String(letter.sizeBytes) },
    count: { N: String(letter.count) },
    deadLetteredAt: { S: new Date().toISOString() },
  };
  if (letter.deviceId !== undefined) item.deviceId = { S: letter.deviceId };
  if (letter.eventId !== undefined) item.eventId = { S: letter.eventId };
  // At most MAX_USER_RECORDS of each (~4,400 numbers and ULIDs: ~140 KB), so one item holds them.
  if (letter.subSequenceNumbers !== undefined)
    item.subSequenceNumbers = { L: letter.subSequenceNumbers.map((n) => ({ N: String(n) })) };
  if (letter.eventIds !== undefined) item.eventIds = { L: letter.eventIds.map((S) => ({ S })) };
  return item;
}
