/**
 * A dead letter's id, `{arrival date}/{shardId}/{sequenceNumber}/{subSequenceNumber}`: it names
 * one letter (its table key) and the stream position of the record it stands for. One grammar
 * for the adapter that stores letters, the CLI, the ops API and its public schema.
 */
export const DEAD_LETTER_ID_PATTERN =
  /^(\d{4}-\d{2}-\d{2})\/(shardId-\d{1,20})\/(\d{1,128})\/(\d{1,6})$/;

/** The longest id the pattern admits. */
export const MAX_DEAD_LETTER_ID_LENGTH = 10 + 1 + 28 + 1 + 128 + 1 + 6;

/** What an id names: the letter's arrival date and the record's stream position. */
export interface DeadLetterKey {
  readonly date: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** Why an id was refused: the expected form. */
export const DEAD_LETTER_ID_FORMAT =
  'expected {arrival date}/{shardId}/{sequenceNumber}/{subSequenceNumber}, as list prints';

/** The key an id names, or undefined if it is not one. */
export function deadLetterKeyOf(id: string): DeadLetterKey | undefined {
  const match = DEAD_LETTER_ID_PATTERN.exec(id);
  if (match === null) return undefined;
  const [, date, shardId, sequenceNumber, sub] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { date, shardId, sequenceNumber, subSequenceNumber: Number(sub) };
}

/** A letter's id from its key. */
export const deadLetterIdOf = (key: DeadLetterKey): string =>
  `${key.date}/${key.shardId}/${key.sequenceNumber}/${key.subSequenceNumber}`;
