import type { StoredDeadLetter } from '#adapters';
import {
  type DeadLetterIdQuery,
  type DeadLetterListQuery,
  type DeadLetterListResponse,
  type DeadLetterResponse,
  type DeadLetterSummary,
  LIST_DETAIL_CHARS,
  LIST_EVENT_IDS,
  MAX_DEAD_LETTER_DAYS,
} from '#api-schemas';
import { daysInclusive, eachDate } from '#domain/calendar';
import { adviceFor, countByReason } from '#domain/dead-letter-advice';
import { deadLetterKeyOf } from '#domain/dead-letter-id';
import { invalidParameters, notFound } from '#shared/problem';
import type { DeadLetterReader } from './dead-letter-reader.js';

/**
 * The arrival dates a list reads, with the CLI's defaults (`to` today, `from` = `to`) and
 * bounds (from <= to, at most MAX_DEAD_LETTER_DAYS): a 400 problem naming `to` otherwise.
 */
export function listPeriod(
  query: Pick<DeadLetterListQuery, 'from' | 'to'>,
  today: string,
): { from: string; to: string } {
  const to = query.to ?? today;
  const from = query.from ?? (query.to === undefined ? today : to);
  if (from > to) {
    throw invalidParameters([
      {
        name: query.to === undefined ? 'from' : 'to',
        reason: `must not be before from (${from} to ${to})`,
      },
    ]);
  }
  const days = daysInclusive(from, to);
  if (days > MAX_DEAD_LETTER_DAYS) {
    throw invalidParameters([
      {
        name: 'to',
        reason: `at most ${MAX_DEAD_LETTER_DAYS} days of arrival dates at a time (${from} to ${to} is ${days})`,
      },
    ]);
  }
  return { from, to };
}

/**
 * A list entry: the letter with its detail cut to LIST_DETAIL_CHARS and its event ids to
 * LIST_EVENT_IDS, so a full page stays a few MB whatever its letters hold (a letter may stand
 * for thousands of events; a hostile sender chooses the field names its detail repeats).
 */
export function summaryOf(letter: StoredDeadLetter): DeadLetterSummary {
  const { detail, eventIds, subSequenceNumbers: _all, ...rest } = letter;
  const chars = [...detail];
  return {
    ...rest,
    detail:
      chars.length > LIST_DETAIL_CHARS ? `${chars.slice(0, LIST_DETAIL_CHARS).join('')}…` : detail,
    firstEventIds: eventIds.slice(0, LIST_EVENT_IDS),
    eventIdCount: eventIds.length,
  };
}

/** The letters of a period, newest arrival date first, with a count per reason. */
export async function listDeadLettersFor(
  query: DeadLetterListQuery,
  reader: DeadLetterReader,
  today: string,
): Promise<DeadLetterListResponse> {
  const period = listPeriod(query, today);
  const { letters, truncated } = await reader.list({
    dates: eachDate(period.from, period.to),
    limit: query.limit,
    ...(query.reason !== undefined && { reason: query.reason }),
    ...(query.deviceId !== undefined && { deviceId: query.deviceId }),
  });
  return {
    period,
    letters: letters.map(summaryOf),
    byReason: countByReason(letters),
    truncated,
  };
}

/** One letter and the runbook's advice for its reason; 404 if there is no such letter. */
export async function explainDeadLetter(
  query: DeadLetterIdQuery,
  reader: DeadLetterReader,
): Promise<DeadLetterResponse> {
  const key = deadLetterKeyOf(query.id);
  // The schema's pattern admitted it, so it parses; a 400 all the same if the two ever differ.
  if (key === undefined) throw invalidParameters([{ name: 'id', reason: 'not a dead-letter id' }]);
  const letter = await reader.get(key);
  if (letter === undefined) throw notFound(`no dead letter ${query.id}`);
  const { deviceId, ...rest } = letter;
  return {
    letter: {
      ...rest,
      eventIds: [...letter.eventIds],
      ...(deviceId !== undefined && { deviceId }),
    },
    advice: adviceFor(letter.reason),
  };
}
