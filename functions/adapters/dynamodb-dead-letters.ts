import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
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
  /** The sub-sequence numbers of every user record it stands for, ascending. */
  readonly subSequenceNumbers: readonly number[];
  /** User records the letter stands for. */
  readonly count: number;
  readonly sizeBytes: number;
  readonly deviceId?: string;
  readonly eventIds: readonly string[];
  /** The last replay of its record, if it was replayed (`markReplayed`). */
  readonly replay?: LetterReplay;
}

/**
 * What replaying a letter's record made of it: `counted`, nothing of the record was
 * dead-lettered again (its events counted, or had counted already); `refused_again`, the
 * processor refused it again (the letter then holds the new judgement, and `reasons` says
 * which).
 */
export interface LetterReplay {
  readonly at: string;
  readonly outcome: 'counted' | 'refused_again';
  readonly reasons?: readonly string[];
}

export interface DeadLetterQuery {
  /** Arrival dates, `YYYY-MM-DD`, inclusive; one Query each. */
  readonly dates: readonly string[];
  readonly reason?: string;
  /** Only letters of one of these reasons (with `reason`: of any of them). */
  readonly reasons?: readonly string[];
  readonly deviceId?: string;
  /** Leave out letters whose record a replay counted. */
  readonly unresolved?: boolean;
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
  const reasons = [...(query.reason === undefined ? [] : [query.reason]), ...(query.reasons ?? [])];
  if (reasons.length > 0) {
    filters.push(`reason IN (${reasons.map((_, i) => `:reason${i}`).join(', ')})`);
    reasons.forEach((reason, i) => {
      values[`:reason${i}`] = { S: reason };
    });
  }
  if (query.deviceId !== undefined) {
    filters.push('deviceId = :device');
    values[':device'] = { S: query.deviceId };
  }
  if (query.unresolved === true) {
    filters.push('(attribute_not_exists(replayOutcome) OR replayOutcome <> :counted)');
    values[':counted'] = { S: 'counted' };
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

/**
 * Records on each letter what the replay of its record made of it (after the replay: a letter
 * the replay wrote again is updated in place, keeping the new reason). Only existing letters
 * are touched.
 */
export async function markReplayed(
  client: DynamoDBClient,
  tableName: string,
  marks: readonly { readonly key: DeadLetterKey; readonly replay: LetterReplay }[],
): Promise<void> {
  for (const { key, replay } of marks) {
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: `DLQ#${key.date}` }, sk: { S: positionSortKey({ position: key }) } },
          UpdateExpression:
            replay.reasons === undefined
              ? 'SET replayedAt = :at, replayOutcome = :outcome REMOVE replayReasons'
              : 'SET replayedAt = :at, replayOutcome = :outcome, replayReasons = :reasons',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':at': { S: replay.at },
            ':outcome': { S: replay.outcome },
            ...(replay.reasons !== undefined && {
              ':reasons': { L: replay.reasons.map((S) => ({ S })) },
            }),
          },
        }),
      )
      .catch((error: unknown) => {
        // A letter deleted since it was read: nothing to mark.
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException'))
          throw error;
      });
  }
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
  const replayedAt = str(item, 'replayedAt');
  const outcome = str(item, 'replayOutcome');
  const reasons = item.replayReasons?.L?.flatMap((v) => (v.S === undefined ? [] : [v.S]));
  return {
    id: deadLetterIdOf({ date, shardId, sequenceNumber, subSequenceNumber }),
    reason: str(item, 'reason') ?? '',
    detail: str(item, 'detail') ?? '',
    arrivedAt,
    deadLetteredAt: str(item, 'deadLetteredAt') ?? '',
    shardId,
    sequenceNumber,
    subSequenceNumber,
    subSequenceNumbers: item.subSequenceNumbers?.L?.map((v) => Number(v.N)) ?? [subSequenceNumber],
    count: num(item, 'count'),
    sizeBytes: num(item, 'sizeBytes'),
    ...(deviceId === undefined ? {} : { deviceId }),
    eventIds:
      item.eventIds?.L?.flatMap((v) => (v.S === undefined ? [] : [v.S])) ??
      (eventId === undefined ? [] : [eventId]),
    ...(replayedAt !== undefined &&
      (outcome === 'counted' || outcome === 'refused_again') && {
        replay: { at: replayedAt, outcome, ...(reasons !== undefined && { reasons }) },
      }),
  };
}
