import { type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DEAD_LETTER_ID_FORMAT,
  type DeadLetterKey,
  deadLetterIdOf,
  deadLetterKeyOf,
} from '#domain/dead-letter-id';
import type { DeadLetter, DeadLetterSink } from '#domain/ports';
import { putAll } from './batch-write.js';
import { type Item, num, str } from './item-codec.js';

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

/** A dead letter as stored: what `list` and `explain` show (no payload is ever stored). */
export interface StoredDeadLetter {
  /** `{arrival date}/{shardId}/{sequenceNumber}/{subSequenceNumber}`: names one letter. */
  readonly id: string;
  readonly reason: string;
  readonly detail: string;
  readonly arrivedAt: string;
  readonly deadLetteredAt: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** User records the letter stands for. */
  readonly count: number;
  readonly sizeBytes: number;
  readonly deviceId?: string;
  readonly eventIds: readonly string[];
}

export interface DeadLetterQuery {
  /** Arrival dates, `YYYY-MM-DD`, inclusive; one Query each. */
  readonly dates: readonly string[];
  readonly reason?: string;
  readonly deviceId?: string;
  /** At most this many letters are returned (the newest dates first). */
  readonly limit: number;
  /**
   * At most this many items are read, filtered or not (default 20,000: a few MB), so a narrow
   * filter over a busy range stops too.
   */
  readonly maxScanned?: number;
}

/**
 * A day's letters come from one Query of its partition, sorted by stream position; the dates
 * are read newest first and the reading stops at `limit` letters or `maxScanned` items read,
 * so one call's work is bounded whatever the table holds.
 */
export async function listDeadLetters(
  client: DynamoDBClient,
  tableName: string,
  query: DeadLetterQuery,
): Promise<{ letters: StoredDeadLetter[]; truncated: boolean }> {
  const letters: StoredDeadLetter[] = [];
  const maxScanned = query.maxScanned ?? 20_000;
  let scanned = 0;
  const filters: string[] = [];
  const values: Item = {};
  if (query.reason !== undefined) {
    filters.push('reason = :reason');
    values[':reason'] = { S: query.reason };
  }
  if (query.deviceId !== undefined) {
    filters.push('deviceId = :device');
    values[':device'] = { S: query.deviceId };
  }
  for (const date of [...query.dates].sort().reverse()) {
    let start: Item | undefined;
    do {
      if (scanned >= maxScanned) return { letters, truncated: true };
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
          ExpressionAttributeValues: { ':pk': { S: `DLQ#${date}` }, ...values },
          ExclusiveStartKey: start,
          Limit: Math.min(1_000, query.limit + 1, maxScanned - scanned),
        }),
      );
      scanned += page.ScannedCount ?? page.Items?.length ?? 0;
      for (const item of page.Items ?? []) {
        if (letters.length === query.limit) return { letters, truncated: true };
        letters.push(decodeDeadLetter(item));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
  return { letters, truncated: false };
}

/** One letter by its key (`parseDeadLetterId` of the id `list` prints), or undefined. */
export async function getDeadLetter(
  client: DynamoDBClient,
  tableName: string,
  key: DeadLetterKey,
): Promise<StoredDeadLetter | undefined> {
  const page = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: {
        pk: { S: `DLQ#${key.date}` },
        sk: { S: positionSortKey({ position: key }) },
      },
      ConsistentRead: true,
    }),
  );
  return page.Item === undefined ? undefined : decodeDeadLetter(page.Item);
}

export type { DeadLetterKey };

/** The key an id names; throws for a malformed id (with the expected form). */
export function parseDeadLetterId(id: string): DeadLetterKey {
  const key = deadLetterKeyOf(id);
  if (key === undefined) throw new Error(`not a dead-letter id: ${DEAD_LETTER_ID_FORMAT}`);
  return key;
}

function decodeDeadLetter(item: Item): StoredDeadLetter {
  const arrivedAt = str(item, 'arrivedAt') ?? '';
  const shardId = str(item, 'shardId') ?? '';
  const sequenceNumber = str(item, 'sequenceNumber') ?? '';
  const subSequenceNumber = num(item, 'subSequenceNumber');
  const date = (str(item, 'pk') ?? '').replace(/^DLQ#/, '');
  const deviceId = str(item, 'deviceId');
  const eventId = str(item, 'eventId');
  return {
    id: deadLetterIdOf({ date, shardId, sequenceNumber, subSequenceNumber }),
    reason: str(item, 'reason') ?? '',
    detail: str(item, 'detail') ?? '',
    arrivedAt,
    deadLetteredAt: str(item, 'deadLetteredAt') ?? '',
    shardId,
    sequenceNumber,
    subSequenceNumber,
    count: num(item, 'count'),
    sizeBytes: num(item, 'sizeBytes'),
    ...(deviceId === undefined ? {} : { deviceId }),
    eventIds:
      item.eventIds?.L?.flatMap((v) => (v.S === undefined ? [] : [v.S])) ??
      (eventId === undefined ? [] : [eventId]),
  };
}
